#!/usr/bin/env bash
# Installs Debian's PostgreSQL if missing, without starting the system cluster: the project runs its own
# cluster (start.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
if pg_bin >/dev/null && [ -x "$(pg_bin)/initdb" ] && [ -x "$(pg_bin)/pg_ctl" ]; then
  exit 0
fi
echo "Installing Debian's postgresql (the system cluster stays off)..."
apt_install_quietly postgresql
systemctl stop postgresql >/dev/null 2>&1 || service postgresql stop >/dev/null 2>&1 || true
systemctl disable postgresql >/dev/null 2>&1 || true
echo "PostgreSQL installed: $(pg_bin)"
