#!/usr/bin/env bash
# Stops the project-local node and deletes its data, logs, config and admin password: the next start is a
# fresh broker.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
"$here/stop.sh"
source "$here/env.sh"
rm -rf "$base"
echo "Wiped ${base}"
