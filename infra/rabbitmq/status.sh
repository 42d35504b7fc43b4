#!/usr/bin/env bash
# Says whether the project-local node runs, and where.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v rabbitmqctl >/dev/null 2>&1 || { echo "rabbitmq-server is not installed (infra/rabbitmq/install.sh)"; exit 1; }
source "$here/env.sh"
if is_running; then
  echo "running: $RABBITMQ_NODENAME, AMQP 127.0.0.1:$RABBITMQ_NODE_PORT, management http://127.0.0.1:$LAUNCHNOTIFY_MANAGEMENT_PORT, data $base"
else
  echo "not running (start it with infra/rabbitmq/start.sh)"; exit 1
fi
