#!/usr/bin/env bash
# Installs Debian's chromium for the dashboard's end-to-end tests (Playwright drives it through ExecutablePath;
# Playwright's own browser download is never used: it needs a host outside the package registries).
# Idempotent: does nothing when /usr/bin/chromium is there. Needs root (apt-get).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

chromium=${LAUNCHNOTIFY_CHROMIUM:-/usr/bin/chromium}
if [ -x "$chromium" ]; then
  echo "chromium present: $("$chromium" --version 2>/dev/null || echo "$chromium")"
  exit 0
fi
echo "Installing Debian's chromium (apt-get install chromium)..."
# Fonts so pages render text a person can read in screenshots.
apt_install_quietly chromium fonts-dejavu-core
"$chromium" --version
