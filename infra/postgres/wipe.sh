#!/usr/bin/env bash
# Stops the project-local cluster and deletes its data and password: the next start is a fresh database.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
"$here/stop.sh"
source "$here/env.sh"
rm -rf "$base"
echo "Wiped $base"
