#!/usr/bin/env bash
# The main job: builds the solution, starts (or reuses) the project's local RabbitMQ, and runs `launchnotify demo`:
# US, RU and CN centres, each a real publisher and subscriber process, exchange signed notifications end to end.
# infra/demo.sh --federated: each centre on its own broker, linked by shovels over TLS (docs/deployment.md).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

echo "== building (Release)"
dotnet build LaunchNotify.sln -c Release -nologo -v quiet -clp:ErrorsOnly

if [[ " $* " == *" --federated "* ]]; then
  # Each centre its own broker, US's a 3-node cluster (docs/deployment.md); the demo provisions them and their links.
  echo "== starting the federated brokers (infra/rabbitmq/federation.sh start)"
  infra/rabbitmq/federation.sh start
else
  echo "== starting the local RabbitMQ (infra/rabbitmq/start.sh)"
  infra/rabbitmq/start.sh
fi

echo "== running the demo"
exec dotnet src/LaunchNotify.Cli/bin/Release/net10.0/launchnotify.dll demo "$@"
