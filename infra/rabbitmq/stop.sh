#!/usr/bin/env bash
# Stops the project-local RabbitMQ node gracefully (no-op if it is not running).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v rabbitmqctl >/dev/null 2>&1 || exit 0
source "$here/env.sh"
if is_running; then
  ctl stop "$RABBITMQ_PID_FILE" >/dev/null 2>&1 || ctl stop >/dev/null
  echo "RabbitMQ node $RABBITMQ_NODENAME stopped"
else
  echo "RabbitMQ node $RABBITMQ_NODENAME is not running"
fi
