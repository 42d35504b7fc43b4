#!/usr/bin/env bash
# Stops the project-local PostgreSQL cluster (fast shutdown: sessions are ended, data is safe); idempotent.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
if ! is_running; then
  echo "PostgreSQL (${data_dir#"$repo_root"/}) is not running"
  exit 0
fi
as_postgres "$(pg_bin)/pg_ctl" -D "$data_dir" -m fast -w stop >/dev/null
echo "PostgreSQL stopped"
