#!/usr/bin/env bash
# The whole test suite: installs and starts what it needs (a project-local RabbitMQ and PostgreSQL on
# loopback), runs every test project, and ends with one line "N passed, N failed, N skipped".
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

log_dir="$root/.local/test-results"
mkdir -p "$log_dir"

# Real components for the integration and end-to-end tiers, started by the project's own scripts.
for component in rabbitmq postgres; do
  if [ -x "infra/$component/start.sh" ]; then
    echo "== starting $component (infra/$component/start.sh)"
    "infra/$component/start.sh"
  fi
done

# Debian's chromium for the dashboard's end-to-end tests (Playwright drives it; no browser download).
echo "== chromium (infra/chromium/install.sh)"
infra/chromium/install.sh

# node, npm and ajv (pinned in tools/ajv) for the schema check in ajv's strict mode.
echo "== ajv (infra/schemas/install.sh)"
infra/schemas/install.sh

# The deployment files' checkers (no Docker engine needed): dclint for the compose file, dockerfile-utils for the Dockerfiles.
echo "== deployment file checkers (infra/lint/install.sh)"
infra/lint/install.sh

echo "== building"
dotnet build LaunchNotify.sln -c Release -nologo -v quiet -clp:ErrorsOnly

echo "== testing"
rm -f "$log_dir"/*.trx
set +e
# Test projects run in parallel, except Integration.Tests: it stops and restarts the shared broker (the outage
# test), which would pull the broker from under the other projects' broker tests. So: the others first, then it.
others="$log_dir/others.slnf"
{
  printf '{ "solution": { "path": "../../LaunchNotify.sln", "projects": [\n'
  dotnet sln LaunchNotify.sln list | grep 'Tests\.csproj$' | grep -v 'LaunchNotify.Integration.Tests' \
    | sed -e 's|/|\\\\|g' -e 's|^|    "|' -e 's|$|",|' | sed '$ s|,$||'
  printf '  ] } }\n'
} > "$others"
run_tests() {
  dotnet test "$1" -c Release --no-build -nologo \
    --logger "console;verbosity=minimal" --logger "trx;LogFilePrefix=tests" \
    --results-directory "$log_dir" 2>&1 | tee -a "$log_dir/dotnet-test.log"
  return "${PIPESTATUS[0]}"
}
: > "$log_dir/dotnet-test.log"
run_tests "$others"; status=$?
run_tests tests/LaunchNotify.Integration.Tests/LaunchNotify.Integration.Tests.csproj || status=$?
set -e

# Count from the TRX files: one per test assembly, each with <Counters total= passed= failed= notExecuted= ...>.
passed=0 failed=0 skipped=0 assemblies=0
for trx in "$log_dir"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  attr() { sed -nE "s/.* $1=\"([0-9]+)\".*/\1/p" <<<"$counters"; }
  passed=$((passed + $(attr passed)))
  failed=$((failed + $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted)))
  skipped=$((skipped + $(attr notExecuted)))
  assemblies=$((assemblies + 1))
done
expected=$(dotnet sln LaunchNotify.sln list | grep -c 'Tests\.csproj$' || true)
if [ "$assemblies" -lt "$expected" ]; then
  echo "!! only $assemblies of $expected test projects reported results (a test host crashed?): counted as a failure"
  failed=$((failed + expected - assemblies))
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
