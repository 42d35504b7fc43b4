#!/usr/bin/env bash
# Installs Debian's rabbitmq-server if missing, without starting the system service: the project runs
# its own node (start.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# start.sh asks the management API with curl.
command -v curl >/dev/null || apt_install_quietly curl ca-certificates
if [ -x /usr/lib/rabbitmq/bin/rabbitmqctl ] && [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
  exit 0
fi
echo "Installing Debian's rabbitmq-server (the system service stays off)..."
apt_install_quietly rabbitmq-server
# In case the init system ignored policy-rc.d: the system node must not hold the epmd/ports or the name.
systemctl stop rabbitmq-server >/dev/null 2>&1 || service rabbitmq-server stop >/dev/null 2>&1 || true
systemctl disable rabbitmq-server >/dev/null 2>&1 || true
echo "rabbitmq-server $(dpkg-query -W -f='${Version}' rabbitmq-server) installed"
