#!/usr/bin/env bash
# The end-to-end yardstick in one command: builds the hand-written jobs and the WordCount sample (JIT) and publishes
# both with Native AOT, builds the peers (benchmarks/Compiled.Benchmarks.Peers: the same job in LINQ, System.Reactive,
# TPL Dataflow and Akka.Streams), generates the 256 MiB Zipf text once (into ~/.cache/compiled-benchmarks, or --cache
# DIR) and its first 64 MiB for the peers, then runs every job as a process in interleaved rounds and prints the
# table. Arguments go to the harness (--peer-mib N: the peers' prefix; 0 leaves the peers out):
#   benchmarks/Compiled.Benchmarks.EndToEnd/run.sh --rounds 3
# With "hottest" first, the Q5-style job instead: the hand-written one against samples/Nexmark's q5 (JIT and AOT) and
# the peers (on the bids within the file's first 64 MiB), on a bid file of 10,000,000 Nexmark events (9.2 million
# bids, 877 MB) generated once into the cache (--events N: another number of events, generated once likewise):
#   benchmarks/Compiled.Benchmarks.EndToEnd/run.sh hottest --rounds 3 --batch-interval 1s,10m
# (--partitions N adds q5 on N partitions and the hand-written job on N threads; --max-batch-bytes SIZE runs q5 with it.)
# With "tcp" first, the word count over loopback TCP: the harness serves the text on a loopback port to the
# hand-written TCP job, to samples/WordCount's tcp source (JIT and AOT) and to the LINQ and Rx peers reading a
# NetworkStream (on the first 64 MiB; --peer-mib N), beside the AOT jobs on the file:
#   benchmarks/Compiled.Benchmarks.EndToEnd/run.sh tcp --rounds 3
# (--partitions N adds the compiled AOT job on N partitions: one reader deals the socket's lines to them.)
# With "nexmark" first, Nexmark Q1 and Q2 (--query q1, q2 or q1,q2) on the same bid file: the hand-written job on 1
# thread and on N (--hand-threads N, default --partitions N) against samples/Nexmark's q1/q2 (JIT and AOT, on 1
# partition and on --partitions N) and the peers (on the bids within the file's first --peer-mib MiB):
#   benchmarks/Compiled.Benchmarks.EndToEnd/run.sh nexmark --query q1,q2 --rounds 3 --partitions 2 --peer-mib 16
# The word count and "hottest" take --hand-threads N (or --partitions N) likewise.
set -euo pipefail
job=wordcount
if [[ "${1:-}" == hottest || "${1:-}" == nexmark || "${1:-}" == tcp ]]; then
  job="$1"
  shift
fi
events=10000000
if [[ ( $job == hottest || $job == nexmark ) && "${1:-}" == --events ]]; then
  events="$2"
  shift 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rid="linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

build() { dotnet "$@" -c Release 2>&1 | tail -n 2 | sed 's/^/  /'; }
echo "Building (Release) and publishing (Native AOT, $rid)..." >&2
build build "$here/Compiled.Benchmarks.EndToEnd.csproj" >&2
build build "$root/benchmarks/Compiled.Benchmarks.Peers/Compiled.Benchmarks.Peers.csproj" >&2
peers="$root/benchmarks/Compiled.Benchmarks.Peers/bin/Release/net10.0/Compiled.Benchmarks.Peers.dll"
build publish "$here/Compiled.Benchmarks.EndToEnd.csproj" -r "$rid" >&2
if [[ $job == hottest || $job == nexmark ]]; then
  build build "$root/samples/Nexmark/Nexmark.csproj" >&2
  build publish "$root/samples/Nexmark/Nexmark.csproj" -r "$rid" >&2
  harness="$here/bin/Release/net10.0/Compiled.Benchmarks.EndToEnd.dll"
  nexmark="$root/samples/Nexmark/bin/Release/net10.0/Nexmark.dll"
  bids="${HOME}/.cache/compiled-benchmarks/nexmark-$events-events"
  if [[ ! -f "$bids/bids.csv" ]]; then
    echo "Generating $events Nexmark events into $bids (once; they are reused after)..." >&2
    dotnet "$nexmark" generate --events "$events" --out "$bids" >&2
  fi
  command=run-hottest
  if [[ $job == nexmark ]]; then
    command=run-nexmark
  fi
  exec dotnet "$harness" "$command" \
    --bids "$bids/bids.csv" \
    --hand-jit "$harness" \
    --hand-aot "$here/bin/Release/net10.0/$rid/publish/Compiled.Benchmarks.EndToEnd" \
    --compiled-jit "$nexmark" \
    --compiled-aot "$root/samples/Nexmark/bin/Release/net10.0/$rid/publish/Nexmark" \
    --peers "$peers" \
    "$@"
fi

build build "$root/samples/WordCount/WordCount.csproj" >&2
build publish "$root/samples/WordCount/WordCount.csproj" -r "$rid" >&2

harness="$here/bin/Release/net10.0/Compiled.Benchmarks.EndToEnd.dll"
if [[ $job == tcp ]]; then
  exec dotnet "$harness" tcp run \
    --hand-jit "$harness" \
    --hand-aot "$here/bin/Release/net10.0/$rid/publish/Compiled.Benchmarks.EndToEnd" \
    --compiled-jit "$root/samples/WordCount/bin/Release/net10.0/WordCount.dll" \
    --compiled-aot "$root/samples/WordCount/bin/Release/net10.0/$rid/publish/WordCount" \
    --peers "$peers" \
    "$@"
fi
exec dotnet "$harness" run \
  --hand-jit "$harness" \
  --hand-aot "$here/bin/Release/net10.0/$rid/publish/Compiled.Benchmarks.EndToEnd" \
  --compiled-jit "$root/samples/WordCount/bin/Release/net10.0/WordCount.dll" \
  --compiled-aot "$root/samples/WordCount/bin/Release/net10.0/$rid/publish/WordCount" \
  --peers "$peers" \
  "$@"
