#!/usr/bin/env bash
# Says whether the project-local node runs, and where. Exit status 0 when it runs, 3 when it does not.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
if [ ! -x /usr/lib/rabbitmq/bin/rabbitmqctl ]; then
  echo "rabbitmq-server is not installed (infra/rabbitmq/install.sh)"
  exit 3
fi
if is_running; then
  data_dir=$(running_data_dir)
  mine=""; [[ "$data_dir" == "$RABBITMQ_MNESIA_BASE"/* ]] || mine=" (NOT this clone's node: $data_dir)"
  echo "running: $RABBITMQ_NODENAME$mine"
  echo "  AMQP        amqp://$loopback:$RABBITMQ_NODE_PORT  (vhost launchnotify)"
  echo "  management  http://$loopback:$management_port  (admin $admin_user, password in ${admin_password_file#"$repo_root"/})"
  echo "  data        ${base}"
else
  echo "not running: $RABBITMQ_NODENAME (AMQP port $RABBITMQ_NODE_PORT, management $management_port); start it with infra/rabbitmq/start.sh"
  exit 3
fi
