# Settings of the project-local PostgreSQL cluster, sourced by the scripts beside it: data, socket and log
# under <repo>/.local/postgres, listening on 127.0.0.1 only, run by the postgres user.
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
base="$repo_root/.local/postgres"
data_dir="$base/data"
socket_dir="$base/socket"
log_file="$base/postgres.log"
pg_port=${LAUNCHNOTIFY_PG_PORT:-5442}
db_name=launchnotify
db_user=launchnotify
password_file="$base/password"

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$dir" ] && echo "$dir"
}

as_postgres() { runuser -u postgres -- "$@"; }

is_running() {
  local bin; bin=$(pg_bin) || return 1
  [ -f "$data_dir/PG_VERSION" ] && as_postgres "$bin/pg_ctl" -D "$data_dir" status >/dev/null 2>&1
}

psql_admin() { as_postgres "$(pg_bin)/psql" -h "$socket_dir" -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

connection_string() { echo "Host=$loopback;Port=$pg_port;Database=$db_name;Username=$db_user;Password=$1"; }
