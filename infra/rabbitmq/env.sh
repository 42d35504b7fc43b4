# Shared settings of the project-local RabbitMQ node (sourced by the scripts beside it).
# One node per clone, on loopback only, with its own ports and its data under <repo>/.local/rabbitmq.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
base="$root/.local/rabbitmq"
export RABBITMQ_NODENAME=launchnotify@localhost
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=${LAUNCHNOTIFY_AMQP_PORT:-5682}
export RABBITMQ_DIST_PORT=${LAUNCHNOTIFY_DIST_PORT:-25682}
export LAUNCHNOTIFY_MANAGEMENT_PORT=${LAUNCHNOTIFY_MANAGEMENT_PORT:-15682}
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_MNESIA_BASE="$base/mnesia"
export RABBITMQ_LOG_BASE="$base/log"
export RABBITMQ_CONFIG_FILE="$base/rabbitmq"
export RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins"
export RABBITMQ_PID_FILE="$base/rabbitmq.pid"
export RABBITMQ_CONF_ENV_FILE="$base/rabbitmq-env.conf"
export RABBITMQ_ADVANCED_CONFIG_FILE="$base/advanced.config"
admin_user=launchnotify-admin
admin_password_file="$base/admin-password"

# rabbitmqctl and the server must share the rabbitmq user's Erlang cookie, so both run as that user.
as_rabbitmq() {
  local vars=(HOME=/var/lib/rabbitmq)
  local v
  for v in RABBITMQ_NODENAME RABBITMQ_NODE_IP_ADDRESS RABBITMQ_NODE_PORT RABBITMQ_DIST_PORT ERL_EPMD_ADDRESS \
           RABBITMQ_MNESIA_BASE RABBITMQ_LOG_BASE RABBITMQ_CONFIG_FILE RABBITMQ_ENABLED_PLUGINS_FILE RABBITMQ_PID_FILE \
           RABBITMQ_CONF_ENV_FILE RABBITMQ_ADVANCED_CONFIG_FILE; do
    vars+=("$v=${!v}")
  done
  runuser -u rabbitmq -- env "${vars[@]}" "$@"
}

ctl() { as_rabbitmq rabbitmqctl -n "$RABBITMQ_NODENAME" "$@"; }

is_running() { ctl status >/dev/null 2>&1; }
