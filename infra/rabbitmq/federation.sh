#!/usr/bin/env bash
# The local federated set-up (docs/deployment.md): three centres, each on its own broker, US's broker a 3-node
# cluster. Everything under <repo>/.local/federation, loopback only:
#   US  nodes ${prefix}-us1, -us2, -us3 (one cluster)   RU  ${prefix}-ru   CN  ${prefix}-cn   (all @localhost)
# Ports from LAUNCHNOTIFY_FED_PORT_BASE (B, default 5760), node i = 0..4 in the order us1 us2 us3 ru cn:
#   AMQP B+i, AMQP over TLS B+100+i, management B+10000+i, Erlang distribution B+20000+i.
# The node name prefix is LAUNCHNOTIFY_FED_NODE_PREFIX (default lnfed). Certificates: infra/rabbitmq/certs.sh.
# Centres' topology, users and links are NOT made here: `launchnotify broker provision --topology federated`
# does that through each broker's management API.
#
# Usage: federation.sh start | stop | status | wipe | describe (JSON of the set-up, for tests and tools)
#        federation.sh kill NODE     (kill -9 one node, e.g. us2: the cluster test's fault)
#        federation.sh start-node NODE
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../lib.sh"
root="$repo_root/.local/federation"
port_base=${LAUNCHNOTIFY_FED_PORT_BASE:-5760}
prefix=${LAUNCHNOTIFY_FED_NODE_PREFIX:-lnfed}
nodes=(us1 us2 us3 ru cn)
timeout_s=${LAUNCHNOTIFY_RABBITMQ_START_TIMEOUT:-180}

index_of() { local i; for i in "${!nodes[@]}"; do [ "${nodes[$i]}" = "$1" ] && { echo "$i"; return; }; done
  echo "Unknown node $1 (one of ${nodes[*]})" >&2; exit 2; }
centre_of() { tr 'a-z' 'A-Z' <<<"${1:0:2}"; }
node_name() { echo "$prefix-$1@localhost"; }

# Runs a command with the environment of one node (the variables env.sh reads).
with_node() {
  local node=$1; shift
  local i; i=$(index_of "$node")
  local cc; cc=$(centre_of "$node")
  mkdir -p "$root/$cc"
  LAUNCHNOTIFY_RABBITMQ_DIR="$root/brokers/$node" \
  LAUNCHNOTIFY_RABBITMQ_NODENAME="$(node_name "$node")" \
  LAUNCHNOTIFY_AMQP_PORT=$((port_base + i)) \
  LAUNCHNOTIFY_AMQPS_PORT=$((port_base + 100 + i)) \
  LAUNCHNOTIFY_MANAGEMENT_PORT=$((port_base + 10000 + i)) \
  LAUNCHNOTIFY_DIST_PORT=$((port_base + 20000 + i)) \
  LAUNCHNOTIFY_TLS_DIR="$root/tls/$cc" \
  LAUNCHNOTIFY_BROKER_ADMIN_PASSWORD="$(password_from "" "$root/$cc/admin-password")" \
  LAUNCHNOTIFY_RABBITMQ_ERL_ARGS="+S 1:1 +sbwt none +sbwtdcpu none +sbwtdio none" \
  "$@"
}

ctl_of() { local node=$1; shift; with_node "$node" bash -c 'source "$0/env.sh"; ctl "$@"' "$here" "$@"; }

start_node() { with_node "$1" "$here/start.sh" | sed "s/^/[$1] /"; }

# us2 and us3 join us1 once; a node that is already a member keeps its membership across restarts.
join_cluster() {
  local node=$1 leader; leader=$(node_name us1)
  if ctl_of "$node" cluster_status --formatter json 2>/dev/null | grep -q "\"$leader\""; then return 0; fi
  echo "[$node] joining the cluster of $leader"
  ctl_of "$node" stop_app >/dev/null 2>&1
  ctl_of "$node" reset >/dev/null 2>&1
  ctl_of "$node" join_cluster "$leader" >/dev/null 2>&1
  ctl_of "$node" start_app >/dev/null 2>&1
}

describe() {
  local cc node i first_centre=1 first_node
  printf '{\n  "root": "%s",\n  "tlsRoot": "%s",\n  "centres": [' "$root" "$root/tls"
  for cc in US RU CN; do
    [ $first_centre -eq 1 ] || printf ','; first_centre=0
    printf '\n    { "centre": "%s", "tlsDir": "%s", "adminPasswordFile": "%s", "nodes": [' "$cc" "$root/tls/$cc" "$root/$cc/admin-password"
    first_node=1
    for i in "${!nodes[@]}"; do
      node=${nodes[$i]}
      [ "$(centre_of "$node")" = "$cc" ] || continue
      [ $first_node -eq 1 ] || printf ','; first_node=0
      printf '\n      { "node": "%s", "name": "%s", "amqp": %d, "amqps": %d, "management": %d, "dir": "%s" }' \
        "$node" "$(node_name "$node")" $((port_base + i)) $((port_base + 100 + i)) $((port_base + 10000 + i)) "$root/brokers/$node"
    done
    printf ' ] }'
  done
  printf '\n  ]\n}\n'
}

command=${1:-start}
case "$command" in
  start)
    "$here/install.sh"
    "$here/certs.sh" "$root/tls" US RU CN >/dev/null
    started=$(date +%s)
    # Each centre's administrator password is made once, before the nodes start: US's three nodes starting in
    # parallel would otherwise each make their own, and the cluster would keep us1's while the file kept another's.
    for cc in US RU CN; do mkdir -p "$root/$cc"; password_from "" "$root/$cc/admin-password" >/dev/null; done
    # In parallel: a cluster node restarted after a full stop waits for its peers, so they must boot together.
    pids=()
    for node in "${nodes[@]}"; do start_node "$node" & pids+=($!); done
    failed=()
    for i in "${!pids[@]}"; do wait "${pids[$i]}" || failed+=("${nodes[$i]}"); done
    # RabbitMQ 3.10 can fail a cluster node's boot while it syncs feature flags with a peer that is booting too
    # ("incompatible_feature_flags … badmap", seen restarting US's cluster after a stop): once its peers are up, it
    # boots alone.
    for node in "${failed[@]}"; do
      echo "[$node] did not start together with its peers; starting it again alone"
      start_node "$node" || { echo "A node of the federated set-up did not start; see $root/brokers/$node/log/" >&2; exit 1; }
    done
    join_cluster us2
    join_cluster us3
    describe > "$root/federation.json"
    echo "Federated set-up ready after $(( $(date +%s) - started )) s: $root/federation.json describes it"
    ;;
  start-node) start_node "${2:?node}"; [ "${2:0:2}" != us ] || [ "$2" = us1 ] || join_cluster "$2" ;;
  stop)
    pids=()
    for node in "${nodes[@]}"; do with_node "$node" "$here/stop.sh" | sed "s/^/[$node] /" & pids+=($!); done
    for pid in "${pids[@]}"; do wait "$pid" || true; done
    ;;
  status)
    for node in "${nodes[@]}"; do with_node "$node" "$here/status.sh" | sed "s/^/[$node] /" || true; done
    ;;
  wipe)
    "$0" stop
    rm -rf "$root"
    echo "Wiped $root"
    ;;
  kill)
    node=${2:?node}; index_of "$node" >/dev/null
    pid_file="$root/brokers/$node/rabbitmq.pid"
    [ -s "$pid_file" ] || { echo "No pid file for $node ($pid_file): is it running?" >&2; exit 1; }
    kill -9 "$(cat "$pid_file")"
    echo "killed $node (pid $(cat "$pid_file")) with SIGKILL"
    ;;
  describe) describe ;;
  *) echo "usage: $0 start|stop|status|wipe|describe|kill NODE|start-node NODE" >&2; exit 2 ;;
esac
