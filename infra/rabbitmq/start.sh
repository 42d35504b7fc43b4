#!/usr/bin/env bash
# Starts the project-local RabbitMQ node (or reuses it if it already runs), waits until it is ready, enables
# the management plugin and makes the administrator `launchnotify-admin` (password from
# LAUNCHNOTIFY_BROKER_ADMIN_PASSWORD, else .local/rabbitmq/admin-password, generated once); removes `guest`.
# The topology (vhost, exchanges, queues, centre users, permissions) is NOT made here: BrokerProvisioner
# (src/LaunchNotify.Node/Broker) makes it through the management API, because centre passwords come from
# each deployment's configuration.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
"$here/install.sh"
source "$here/env.sh"
timeout_s=${LAUNCHNOTIFY_RABBITMQ_START_TIMEOUT:-90}

if is_running; then
  data_dir=$(running_data_dir)
  if [[ "$data_dir" != "$RABBITMQ_MNESIA_BASE"/* ]]; then
    echo "A RabbitMQ node named $RABBITMQ_NODENAME already runs, but from another folder ($data_dir)." >&2
    echo "Stop it with that clone's infra/rabbitmq/stop.sh, or run this one beside it with other" >&2
    echo "LAUNCHNOTIFY_RABBITMQ_NODENAME / LAUNCHNOTIFY_AMQP_PORT / LAUNCHNOTIFY_MANAGEMENT_PORT / LAUNCHNOTIFY_DIST_PORT." >&2
    exit 1
  fi
  echo "RabbitMQ node $RABBITMQ_NODENAME already running"
else
  for port in "$RABBITMQ_NODE_PORT" "$management_port" "$RABBITMQ_DIST_PORT" $amqps_port; do
    holder=$(port_holder "$port")
    if [ -n "$holder" ]; then
      echo "Cannot start RabbitMQ: port $port is already taken by $holder." >&2
      exit 1
    fi
  done
  mkdir -p "$base/mnesia" "$base/log"
  cat > "$base/rabbitmq.conf" <<CONF
listeners.tcp.1 = $loopback:$RABBITMQ_NODE_PORT
management.tcp.ip = $loopback
management.tcp.port = $management_port
loopback_users = none
disk_free_limit.absolute = 100MB
log.file.level = info
log.console = false
CONF
  plugins="rabbitmq_management"
  if [ -n "$amqps_port" ]; then
    # A centre's own broker (federated topology): links to counterparts are shovels; counterparts' links log in
    # with their TLS certificate (EXTERNAL, user = the certificate's CN, i.e. the sending centre's code).
    for f in ca.pem server.pem server.key; do
      [ -s "$tls_dir/$f" ] || { echo "LAUNCHNOTIFY_AMQPS_PORT is set but $tls_dir/$f is missing (infra/rabbitmq/certs.sh makes it)" >&2; exit 1; }
    done
    # The broker reads its own certificate and, for its shovels, the centre's client certificate (client.pem,
    # client.key) from this folder: one path for every node of a cluster, since a shovel may run on any of them.
    chown -R rabbitmq:rabbitmq "$tls_dir"
    make_traversable_for rabbitmq "$tls_dir"
    cat >> "$base/rabbitmq.conf" <<CONF
listeners.ssl.1 = $loopback:$amqps_port
ssl_options.cacertfile = $tls_dir/ca.pem
ssl_options.certfile = $tls_dir/server.pem
ssl_options.keyfile = $tls_dir/server.key
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = true
ssl_options.versions.1 = tlsv1.3
ssl_options.versions.2 = tlsv1.2
auth_mechanisms.1 = PLAIN
auth_mechanisms.2 = AMQPLAIN
auth_mechanisms.3 = EXTERNAL
ssl_cert_login_from = common_name
CONF
    plugins="$plugins,rabbitmq_shovel,rabbitmq_shovel_management,rabbitmq_auth_mechanism_ssl"
  fi
  echo "[$plugins]." > "$base/enabled_plugins"
  : > "$base/rabbitmq-env.conf"
  echo "[]." > "$base/advanced.config"
  chown -R rabbitmq:rabbitmq "$base"
  make_traversable_for rabbitmq "$base"

  echo "Starting RabbitMQ node $RABBITMQ_NODENAME (data in ${base#"$repo_root"/})..."
  started=$(date +%s)
  # Each quorum queue reserves file handles: at the default soft limit of 1024, ~300 queues (150 centres) made the
  # node stop accepting AMQP connections (docs/performance.md). Raised to the hard limit (at most 65536) inside
  # runuser, whose PAM session resets limits.
  as_rabbitmq bash -c 'h=$(ulimit -Hn); [ "$h" = unlimited ] && h=65536; ulimit -Sn $(( h < 65536 ? h : 65536 )) 2>/dev/null; exec setsid rabbitmq-server' \
    >"$base/log/console.log" 2>&1 </dev/null &
  server_pid=$!
  until is_running; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "RabbitMQ exited during startup. Look at $base/log/console.log and $base/log/*.log" >&2
      exit 1
    fi
    if [ $(( $(date +%s) - started )) -ge "$timeout_s" ]; then
      echo "RabbitMQ did not start within $timeout_s s. Look at $base/log/console.log and $base/log/*.log" >&2
      exit 1
    fi
    sleep 1
  done
  if ! ctl await_startup --timeout "$timeout_s" >/dev/null; then
    echo "RabbitMQ did not finish booting within $timeout_s s. Look at $base/log/*.log" >&2
    exit 1
  fi
  echo "  node up after $(( $(date +%s) - started )) s"
fi

# Already in enabled_plugins for a fresh node; kept for nodes whose plugin file was edited.
as_rabbitmq rabbitmq-plugins -n "$RABBITMQ_NODENAME" enable --quiet rabbitmq_management >/dev/null

password=$(password_from "${LAUNCHNOTIFY_BROKER_ADMIN_PASSWORD:-}" "$admin_password_file")
chown rabbitmq:rabbitmq "$admin_password_file"
if ctl list_users --silent | awk '{print $1}' | grep -qx "$admin_user"; then
  ctl change_password "$admin_user" "$password" >/dev/null
else
  ctl add_user "$admin_user" "$password" >/dev/null
fi
ctl set_user_tags "$admin_user" administrator >/dev/null
ctl set_permissions -p / "$admin_user" ".*" ".*" ".*" >/dev/null
ctl delete_user guest >/dev/null 2>&1 || true

# Provisioning goes through the management API: wait for it as well.
for _ in $(seq 1 "$timeout_s"); do
  if curl -fsS -o /dev/null -u "$admin_user:$password" "http://$loopback:$management_port/api/overview" 2>/dev/null; then
    echo "RabbitMQ ready: amqp://$loopback:$RABBITMQ_NODE_PORT${amqps_port:+, amqps://$loopback:$amqps_port}, management http://$loopback:$management_port"
    echo "  admin $admin_user, password in ${admin_password_file#"$repo_root"/}"
    exit 0
  fi
  sleep 1
done
echo "The management API did not answer on http://$loopback:$management_port within $timeout_s s; see $base/log/" >&2
exit 1
