#!/usr/bin/env bash
# Nexmark Q1 and Q2 (samples/Nexmark, JIT) on 1 and on 2 partitions: each run a process, interleaved, into a file sink;
# each run's output checked equal (sorted) to the others' before its times count. Prints one line a run: wall, user and
# system time, the per-record part's time from the run's own log (from "starting" to the end of the input), the load
# average before it, the batches written and the sorted output's checksum. The bids are generated once into DIR.
#   benchmarks/Compiled.Benchmarks.EndToEnd/nexmark-partitions.sh [--rounds N] [--batch-interval 1s|10m] [--events N] [--dir DIR]
set -euo pipefail
rounds=5 interval=10m events=10000000 dir=/tmp/nexmark-partitions
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --batch-interval) interval="$2"; shift 2 ;;
    --events) events="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "unknown argument $1; use --rounds N, --batch-interval D, --events N or --dir DIR" >&2; exit 2 ;;
  esac
done
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dotnet build "$root/samples/Nexmark/Nexmark.csproj" -c Release 2>&1 | tail -n 2 >&2
dll="$root/samples/Nexmark/bin/Release/net10.0/Nexmark.dll"
input="$dir/events-$events"
if [[ ! -f "$input/bids.csv" ]]; then
  dotnet "$dll" generate --events "$events" --out "$input" >&2
fi
ms() { date -d "$1" +%s%3N; }
for round in $(seq "$rounds"); do
  for query in q1 q2; do
    for partitions in 1 2; do
      out="$dir/out-$query-$partitions"
      rm -rf "$out"
      load=$(cut -d' ' -f1 /proc/loadavg)
      /usr/bin/time -o "$dir/time.txt" -f "%e %U %S" dotnet "$dll" "$query" --source "file://$input/bids.csv" \
        --sink "file://$out/out?suffix=txt" --parallelism "$partitions" --batch-interval "$interval" >/dev/null 2>"$dir/log.txt"
      start=$(grep -m1 'starting: batch' "$dir/log.txt" | cut -d' ' -f1)
      end=$(grep -m1 -E 'Q[12]\[(7|22)\]' "$dir/log.txt" | cut -d' ' -f1)
      sum=$(cat "$out"/out-*.txt | LC_ALL=C sort -S 1G | md5sum | cut -c1-12)
      echo "$round $query partitions=$partitions wall/user/sys $(cat "$dir/time.txt") loop_ms=$(( $(ms "$end") - $(ms "$start") )) load1=$load batches=$(ls "$out" | wc -l) sorted-md5=$sum"
      rm -rf "$out"
    done
  done
done
