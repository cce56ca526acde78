#!/usr/bin/env bash
# The end-to-end yardstick in one command: builds the hand-written jobs and the WordCount sample (JIT) and publishes
# both with Native AOT, generates the 256 MiB Zipf text once (into ~/.cache/compiled-benchmarks, or --cache DIR),
# then runs every job as a process in interleaved rounds and prints the table. Arguments go to the harness:
#   benchmarks/Compiled.Benchmarks.EndToEnd/run.sh --rounds 3
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rid="linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

build() { dotnet "$@" -c Release 2>&1 | tail -n 2 | sed 's/^/  /'; }
echo "Building (Release) and publishing (Native AOT, $rid)..." >&2
build build "$here/Compiled.Benchmarks.EndToEnd.csproj" >&2
build publish "$here/Compiled.Benchmarks.EndToEnd.csproj" -r "$rid" >&2
build build "$root/samples/WordCount/WordCount.csproj" >&2
build publish "$root/samples/WordCount/WordCount.csproj" -r "$rid" >&2

harness="$here/bin/Release/net10.0/Compiled.Benchmarks.EndToEnd.dll"
exec dotnet "$harness" run \
  --hand-jit "$harness" \
  --hand-aot "$here/bin/Release/net10.0/$rid/publish/Compiled.Benchmarks.EndToEnd" \
  --compiled-jit "$root/samples/WordCount/bin/Release/net10.0/WordCount.dll" \
  --compiled-aot "$root/samples/WordCount/bin/Release/net10.0/$rid/publish/WordCount" \
  "$@"
