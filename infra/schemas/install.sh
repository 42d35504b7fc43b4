#!/usr/bin/env bash
# Installs what the schema check needs: Debian's node and npm (if missing), then ajv and ajv-formats at the versions
# pinned in tools/ajv/package-lock.json (npm ci, from the npm registry). tests/LaunchNotify.Protocol.Tests/AjvStrictTests
# runs tools/ajv/check.mjs: every schema compiled in ajv's strict mode, every example and agreement file checked.
# Idempotent: npm ci only when node_modules is missing or older than the lock file.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"


if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Installing Debian's nodejs and npm (apt-get install nodejs npm)..."
  apt_install_quietly nodejs npm
fi
echo "node $(node --version), npm $(npm --version)"

tool="$repo_root/tools/ajv"
if [ ! -d "$tool/node_modules/ajv" ] || [ "$tool/package-lock.json" -nt "$tool/node_modules/.package-lock.json" ]; then
  echo "Installing ajv (npm ci in tools/ajv)..."
  npm ci --prefix "$tool" --no-audit --no-fund --loglevel=error
fi
echo "ajv $(node -p "require('$tool/node_modules/ajv/package.json').version") ready in tools/ajv"
