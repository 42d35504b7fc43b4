#!/usr/bin/env bash
# Starts (or reuses) the project-local RabbitMQ node on 127.0.0.1 (AMQP 5682, management 15682), data and logs
# under .local/rabbitmq, running as the rabbitmq user; waits until it is ready; makes the admin user.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
"$here/install.sh"
source "$here/env.sh"

if is_running; then
  echo "RabbitMQ node $RABBITMQ_NODENAME already running (AMQP 127.0.0.1:$RABBITMQ_NODE_PORT, management 127.0.0.1:$LAUNCHNOTIFY_MANAGEMENT_PORT)"
else
  mkdir -p "$base/mnesia" "$base/log"
  cat > "$base/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$RABBITMQ_NODE_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $LAUNCHNOTIFY_MANAGEMENT_PORT
loopback_users = none
disk_free_limit.absolute = 100MB
log.file.level = info
log.console = false
CONF
  echo "[rabbitmq_management]." > "$base/enabled_plugins"
  : > "$base/rabbitmq-env.conf"
  echo "[]." > "$base/advanced.config"
  chown -R rabbitmq:rabbitmq "$base"
  # The rabbitmq user must reach its folder: make every parent traversable (execute bit only, no listing).
  dir="$base"
  while [ "$dir" != "/" ]; do
    dir=$(dirname "$dir")
    if ! runuser -u rabbitmq -- test -x "$dir"; then chmod o+x "$dir"; echo "(made $dir traversable for the rabbitmq user)"; fi
  done

  echo "Starting RabbitMQ node $RABBITMQ_NODENAME (data in $base)…"
  as_rabbitmq setsid nohup rabbitmq-server >"$base/log/console.log" 2>&1 < /dev/null &
  started=$(date +%s)
  until is_running; do
    if [ $(( $(date +%s) - started )) -gt 90 ]; then
      echo "RabbitMQ did not start within 90 s. Look at $base/log/console.log and $base/log/*.log;" >&2
      echo "a port in use (5682, 15682, 25682) or a stale node: infra/rabbitmq/stop.sh, then try again." >&2
      exit 1
    fi
    sleep 1
  done
  ctl await_startup --timeout 90 >/dev/null
  echo "RabbitMQ started in $(( $(date +%s) - started )) s"
fi

# The administrator the provisioner uses; its password comes from the environment or a generated file.
if [ -n "${LAUNCHNOTIFY_BROKER_ADMIN_PASSWORD:-}" ]; then
  printf '%s' "$LAUNCHNOTIFY_BROKER_ADMIN_PASSWORD" > "$admin_password_file"
elif [ ! -s "$admin_password_file" ]; then
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$admin_password_file"
fi
chmod 600 "$admin_password_file"
password=$(cat "$admin_password_file")
if ctl list_users --silent | awk '{print $1}' | grep -qx "$admin_user"; then
  ctl change_password "$admin_user" "$password" >/dev/null
else
  ctl add_user "$admin_user" "$password" >/dev/null
fi
ctl set_user_tags "$admin_user" administrator >/dev/null
ctl set_permissions -p / "$admin_user" ".*" ".*" ".*" >/dev/null
ctl delete_user guest >/dev/null 2>&1 || true

# Wait for the management API too: provisioning goes through it.
for _ in $(seq 1 60); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$LAUNCHNOTIFY_MANAGEMENT_PORT") 2>/dev/null; then
    echo "RabbitMQ ready: amqp://127.0.0.1:$RABBITMQ_NODE_PORT, management http://127.0.0.1:$LAUNCHNOTIFY_MANAGEMENT_PORT (admin $admin_user, password in ${admin_password_file#$root/})"
    exit 0
  fi
  sleep 1
done
echo "The management API did not answer on 127.0.0.1:$LAUNCHNOTIFY_MANAGEMENT_PORT; see $base/log/." >&2
exit 1
