# Settings of the project-local RabbitMQ node, sourced by the scripts beside it.
# One node per clone, loopback only, data/logs/config under <repo>/.local/rabbitmq. The ports and node name
# can be moved with LAUNCHNOTIFY_* variables (e.g. to run a second clone beside this one); the C# side reads
# the same variables: the publisher and subscriber take LAUNCHNOTIFY_AMQP_PORT as LaunchNotify:Broker:Port
# (docs/configuration.md); the CLI, tests and benchmark read both.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
base="$repo_root/.local/rabbitmq"
export RABBITMQ_NODENAME=${LAUNCHNOTIFY_RABBITMQ_NODENAME:-launchnotify@localhost}
export RABBITMQ_NODE_IP_ADDRESS=$loopback
export RABBITMQ_NODE_PORT=${LAUNCHNOTIFY_AMQP_PORT:-5682}
export RABBITMQ_DIST_PORT=${LAUNCHNOTIFY_DIST_PORT:-25682}
management_port=${LAUNCHNOTIFY_MANAGEMENT_PORT:-15682}
export ERL_EPMD_ADDRESS=$loopback
# Erlang distribution (server and CLI) listens on loopback only, not on every interface.
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_MNESIA_BASE="$base/mnesia"
export RABBITMQ_LOG_BASE="$base/log"
export RABBITMQ_CONFIG_FILE="$base/rabbitmq"
export RABBITMQ_ADVANCED_CONFIG_FILE="$base/advanced.config"
export RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins"
export RABBITMQ_PID_FILE="$base/rabbitmq.pid"
export RABBITMQ_CONF_ENV_FILE="$base/rabbitmq-env.conf"
admin_user=launchnotify-admin
admin_password_file="$base/admin-password"

# Server and rabbitmqctl run as the rabbitmq user with the same environment, so they share its Erlang cookie.
as_rabbitmq() {
  local vars=(HOME=/var/lib/rabbitmq PATH=/usr/lib/rabbitmq/bin:/usr/sbin:/usr/bin:/sbin:/bin) v
  for v in $(compgen -e | grep -E '^(RABBITMQ_|ERL_EPMD_ADDRESS$)'); do vars+=("$v=${!v}"); done
  runuser -u rabbitmq -- env -i "${vars[@]}" "$@"
}

ctl() { as_rabbitmq rabbitmqctl -n "$RABBITMQ_NODENAME" "$@"; }

is_running() { [ -x /usr/lib/rabbitmq/bin/rabbitmqctl ] && ctl status >/dev/null 2>&1; }

# The data folder of the running node with our name: a node of that name started from another clone is not ours.
running_data_dir() { ctl eval 'rabbit_mnesia:dir().' 2>/dev/null | tr -d '"' ; }
