#!/usr/bin/env bash
# Installs Debian's rabbitmq-server if missing, without starting (or enabling) the system service:
# the project runs its own node (infra/rabbitmq/start.sh).
set -euo pipefail
if command -v rabbitmq-server >/dev/null 2>&1 && [ -x /usr/lib/rabbitmq/bin/rabbitmqctl ]; then
  exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "rabbitmq-server is not installed; run this script as root (it uses apt-get)" >&2; exit 1; }
echo "Installing Debian's rabbitmq-server (the system service stays off)…"
policy=/usr/sbin/policy-rc.d
had_policy=0; [ -e "$policy" ] && had_policy=1 && cp "$policy" "$policy.launchnotify-backup"
printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"
trap 'if [ $had_policy -eq 1 ]; then mv "$policy.launchnotify-backup" "$policy"; else rm -f "$policy"; fi' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq rabbitmq-server >/dev/null
# In case the package started it anyway (no policy-rc.d support in the init system), stop the system node.
systemctl stop rabbitmq-server >/dev/null 2>&1 || service rabbitmq-server stop >/dev/null 2>&1 || true
systemctl disable rabbitmq-server >/dev/null 2>&1 || true
echo "rabbitmq-server installed: $(dpkg-query -W -f='${Version}' rabbitmq-server)"
