#!/usr/bin/env bash
# Stops the project-local RabbitMQ node gracefully; nothing to do if it is not running.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
if ! is_running; then
  echo "RabbitMQ node $RABBITMQ_NODENAME is not running"
  exit 0
fi
data_dir=$(running_data_dir)
if [[ "$data_dir" != "$RABBITMQ_MNESIA_BASE"/* ]]; then
  echo "The running node $RABBITMQ_NODENAME belongs to another folder ($data_dir): not stopping it." >&2
  exit 1
fi
# With the pid file, stop waits until the Erlang VM has exited, not only the rabbit application.
ctl stop "$RABBITMQ_PID_FILE" >/dev/null
echo "RabbitMQ node $RABBITMQ_NODENAME stopped"
