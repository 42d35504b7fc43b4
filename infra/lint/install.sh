#!/usr/bin/env bash
# Installs the checkers the test suite runs on the deployment files without a Docker engine (docs/operations.md):
# dclint (infra/docker-compose.yml against the Compose Specification's JSON schema, plus its lint rules) and
# dockerfile-utils (the Dockerfiles' instructions and arguments, the checks of the Docker language server).
# Versions pinned in package.json / package-lock.json. Idempotent. Needs root for apt-get when node is missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")"

if ! command -v npm >/dev/null 2>&1; then
  echo "Installing Debian's nodejs and npm (apt-get install nodejs npm)..."
  apt_install_quietly nodejs npm
fi
if [ -x node_modules/.bin/dclint ] && [ -x node_modules/.bin/dockerfile-utils ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "deployment file checkers present (infra/lint/node_modules)"
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
