#!/usr/bin/env bash
# Runs EndpointTotals against a PostgreSQL of its own: installs it if missing (scripts/servers/install.sh), starts it
# on a free loopback port with its data in a temporary directory, runs the job (by default on LogMonitor's bundled
# log; extra arguments go to the job, e.g. --source stdin:), prints the table, and stops the server.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
"$root/scripts/servers/install.sh"
source "$root/scripts/servers/servers.sh"
start_postgres

sink="postgres://postgres@127.0.0.1:$POSTGRES_PORT/postgres?table=endpoint_requests&valueType=bigint"
dotnet run --project "$root/samples/EndpointTotals" -c Release -- --sink "$sink" "$@"

psql -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -d postgres \
  -c "SELECT key AS endpoint, value AS requests FROM endpoint_requests ORDER BY value DESC, key"
