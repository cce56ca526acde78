#!/usr/bin/env bash
# The word count on Kafka input in one command: builds the compiled job (JIT) and publishes it with Native AOT, builds
# the Streamiz.Kafka.Net job (benchmarks/Compiled.Benchmarks.Streamiz), generates the first 16 MiB of the end-to-end
# Zipf text once (--mib N: another size), starts Apache Kafka 0.9.0.1 and its ZooKeeper on free loopback ports
# (scripts/servers: installed and fetched when missing), creates the topic `lines` (1 partition) and Streamiz's
# repartition topic (0.9 does not serve the AdminClient requests Streamiz would create it with), produces the text one
# message per line, runs the jobs in interleaved rounds with every output checked, prints the table, and stops Kafka.
# Other arguments go to the comparison (--rounds N):
# (--batch-interval T: the compiled job's, 1s by default; it commits its offsets, and so is seen at its end, once a batch is written):
#   benchmarks/Compiled.Benchmarks.Kafka/run.sh --mib 16 --rounds 3 --batch-interval 250ms
set -euo pipefail
mib=16
if [[ "${1:-}" == --mib ]]; then
  mib="$2"
  shift 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rid="linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

build() { dotnet "$@" -c Release 2>&1 | tail -n 2 | sed 's/^/  /'; }
echo "Building (Release) and publishing (Native AOT, $rid)..." >&2
build build "$root/benchmarks/Compiled.Benchmarks.EndToEnd/Compiled.Benchmarks.EndToEnd.csproj" >&2
build build "$here/Compiled.Benchmarks.Kafka.csproj" >&2
build publish "$here/Compiled.Benchmarks.Kafka.csproj" -r "$rid" >&2
build build "$root/benchmarks/Compiled.Benchmarks.Streamiz/Compiled.Benchmarks.Streamiz.csproj" >&2
text=$(dotnet "$root/benchmarks/Compiled.Benchmarks.EndToEnd/bin/Release/net10.0/Compiled.Benchmarks.EndToEnd.dll" generate --mib "$mib")

"$root/scripts/servers/install.sh" >&2
source "$root/scripts/servers/servers.sh"
start_kafka
kafka_create_topic lines 1
kafka_create_topic streamiz-word-count-word-counts-repartition 1
echo "Producing $text to the topic 'lines', one message per line..." >&2
kafka_produce lines <"$text"

jobs=$here/bin/Release/net10.0
dotnet "$jobs/Compiled.Benchmarks.Kafka.dll" compare \
  --bootstrap "127.0.0.1:$KAFKA_PORT" --topic lines --text "$text" \
  --client "$KAFKA_CLIENT&session.timeout.ms=10000" \
  --compiled-aot "$jobs/$rid/publish/Compiled.Benchmarks.Kafka" \
  --compiled-jit "$jobs/Compiled.Benchmarks.Kafka.dll" \
  --streamiz "$root/benchmarks/Compiled.Benchmarks.Streamiz/bin/Release/net10.0/Compiled.Benchmarks.Streamiz.dll" \
  "$@"
