#!/usr/bin/env bash
# The main job: builds the solution, starts (or reuses) the project's local RabbitMQ, and runs `launchnotify demo`:
# US, RU and CN centres, each a real publisher and subscriber process, exchange signed notifications end to end.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

echo "== building (Release)"
dotnet build LaunchNotify.sln -c Release -nologo -v quiet -clp:ErrorsOnly

echo "== starting the local RabbitMQ (infra/rabbitmq/start.sh)"
infra/rabbitmq/start.sh

echo "== running the demo"
exec dotnet src/LaunchNotify.Cli/bin/Release/net10.0/launchnotify.dll demo "$@"
