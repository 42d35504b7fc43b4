#!/usr/bin/env bash
# Says whether the project-local cluster runs, and how to connect. Exit status 0 when it runs, 3 when not.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
if is_running; then
  echo "running: PostgreSQL on $loopback:$pg_port, database $db_name, user $db_user"
  echo "  password in ${password_file#"$repo_root"/}, data $data_dir"
else
  echo "not running: PostgreSQL (port $pg_port); start it with infra/postgres/start.sh"
  exit 3
fi
