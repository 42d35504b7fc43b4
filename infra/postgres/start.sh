#!/usr/bin/env bash
# Starts the project-local PostgreSQL cluster (initialising it on first use, reusing it when it runs),
# makes the `launchnotify` database and user (password from LAUNCHNOTIFY_PG_PASSWORD, else
# .local/postgres/password, generated once) and prints the Npgsql connection string.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
"$here/install.sh"
source "$here/env.sh"
bin=$(pg_bin)

mkdir -p "$base"
chown postgres:postgres "$base"
chmod 700 "$base"
make_traversable_for postgres "$base"

if [ ! -f "$data_dir/PG_VERSION" ]; then
  echo "Initialising a PostgreSQL cluster in ${data_dir#"$repo_root"/}..."
  as_postgres mkdir -p "$data_dir" "$socket_dir"
  # Local superuser access only through the socket folder (owner-only); TCP always needs a password.
  as_postgres "$bin/initdb" -D "$data_dir" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=scram-sha-256 >"$base/initdb.log"
fi
as_postgres mkdir -p "$socket_dir"
chmod 700 "$socket_dir"

if is_running; then
  echo "PostgreSQL already running (port $pg_port)"
else
  holder=$(port_holder "$pg_port")
  if [ -n "$holder" ]; then
    echo "Cannot start PostgreSQL: port $pg_port is already taken by $holder." >&2
    exit 1
  fi
  echo "Starting PostgreSQL on $loopback:$pg_port..."
  started=$(date +%s)
  if ! as_postgres "$bin/pg_ctl" -D "$data_dir" -l "$log_file" -w -t 60 start \
       -o "-c listen_addresses=$loopback -p $pg_port -c unix_socket_directories=$socket_dir" >/dev/null; then
    echo "PostgreSQL did not start within 60 s. Look at $log_file" >&2
    exit 1
  fi
  echo "  up after $(( $(date +%s) - started )) s"
fi

password=$(password_from "${LAUNCHNOTIFY_PG_PASSWORD:-}" "$password_file")
chown postgres:postgres "$password_file"
# The password goes in as a psql variable (:'pw' quotes it as a literal), never in the command line.
psql_admin -v pw="$password" <<SQL
SELECT format('CREATE ROLE %I LOGIN', '$db_user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$db_user') \gexec
ALTER ROLE $db_user WITH LOGIN PASSWORD :'pw';
SELECT format('CREATE DATABASE %I OWNER %I', '$db_name', '$db_user') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$db_name') \gexec
SQL
echo "PostgreSQL ready. Connection string (Npgsql):"
echo "  $(connection_string "$password")"
