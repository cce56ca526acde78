#!/usr/bin/env bash
# Nexmark Q2 and Q5 against Microsoft's Trill (row mode), as whole processes on the same bid file, in one command:
#   benchmarks/Compiled.Benchmarks.Trill/run-trill.sh [--rounds N] [--bids FILE] [--events N] [--trill-git-dir DIR] [q2|q5]...
# It builds Trill from source (build-trill.sh beside this file; --trill-git-dir DIR takes the pinned commit from a
# local clone instead of GitHub), the Trill jobs, the end-to-end harness and samples/Nexmark (JIT, and Native AOT),
# and takes the bid file of 10,000,000 Nexmark events from ~/.cache/compiled-benchmarks (generated once; --events N
# another number of events, --bids FILE a file of your own). Then:
#  - Q2: samples/Nexmark's q2 (JIT and AOT on 1 partition, AOT on every core) and Trill's, each output's sorted lines
#    checked against an answer worked out with awk before its time counts;
#  - Q5: the hand-written job (JIT and AOT), samples/Nexmark's q5 (likewise) and Trill's, each output checked against
#    the end-to-end harness's answer (HottestOutput, kept beside the file as FILE.hottest);
# each in interleaved rounds after one unmeasured round, as processes timed by /usr/bin/time (wall, CPU, peak RSS).
# (The harness's own table takes Trill's Q5 too: run-hottest ... --trill Compiled.Benchmarks.Trill.dll.)
# With no query named, both run.
set -euo pipefail
rounds=3
bids=""
events=10000000
gitdir=""
queries=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --bids) bids="$2"; shift 2 ;;
    --events) events="$2"; shift 2 ;;
    --trill-git-dir) gitdir="$2"; shift 2 ;;
    q2|q5) queries+=("$1"); shift ;;
    *) echo "Unknown argument '$1'. Usage: run-trill.sh [--rounds N] [--bids FILE] [--events N] [--trill-git-dir DIR] [q2|q5]..." >&2; exit 2 ;;
  esac
done
[[ ${#queries[@]} -gt 0 ]] || queries=(q2 q5)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rid="linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

trill_dll="$("$here/build-trill.sh" ${gitdir:+--git-dir "$gitdir"})"
build() { dotnet "$@" -c Release 2>&1 | tail -n 2 | sed 's/^/  /' >&2; }
echo "Building (Release) and publishing (Native AOT, $rid)..." >&2
build build "$here/Compiled.Benchmarks.Trill.csproj" -p:TrillDll="$trill_dll"
build build "$root/benchmarks/Compiled.Benchmarks.EndToEnd/Compiled.Benchmarks.EndToEnd.csproj"
build publish "$root/benchmarks/Compiled.Benchmarks.EndToEnd/Compiled.Benchmarks.EndToEnd.csproj" -r "$rid"
build build "$root/samples/Nexmark/Nexmark.csproj"
build publish "$root/samples/Nexmark/Nexmark.csproj" -r "$rid"
trill="$here/bin/Release/net10.0/Compiled.Benchmarks.Trill.dll"
harness="$root/benchmarks/Compiled.Benchmarks.EndToEnd/bin/Release/net10.0/Compiled.Benchmarks.EndToEnd.dll"
hand_aot="$root/benchmarks/Compiled.Benchmarks.EndToEnd/bin/Release/net10.0/$rid/publish/Compiled.Benchmarks.EndToEnd"
nexmark="$root/samples/Nexmark/bin/Release/net10.0/Nexmark.dll"
nexmark_aot="$root/samples/Nexmark/bin/Release/net10.0/$rid/publish/Nexmark"
if [[ -z "$bids" ]]; then
  bids="${HOME}/.cache/compiled-benchmarks/nexmark-$events-events/bids.csv"
  if [[ ! -f "$bids" ]]; then
    echo "Generating $events Nexmark events into $(dirname "$bids") (once; they are reused after)..." >&2
    dotnet "$nexmark" generate --events "$events" --out "$(dirname "$bids")" >&2
  fi
fi

# run_job QUERY INDEX OUTPUT_DIRECTORY: one run of job INDEX of QUERY's table, its output into the directory.
run_job() {
  local sink="file://$3/out?suffix=txt" source="file://$bids"
  case "$1:$2" in
    q2:0) dotnet "$trill" q2 "$bids" "$3/q2.txt" 2>/dev/null ;;
    q2:1) dotnet "$nexmark" q2 --source "$source" --sink "$sink" --parallelism 1 --log-level none ;;
    q2:2) "$nexmark_aot" q2 --source "$source" --sink "$sink" --parallelism 1 --log-level none ;;
    q2:3) "$nexmark_aot" q2 --source "$source" --sink "$sink" --log-level none ;;
    q5:0) dotnet "$trill" q5 "$bids" "$3/q5.txt" 2>/dev/null ;;
    q5:1) dotnet "$harness" hand-hottest "$bids" "$3/q5.txt" ;;
    q5:2) "$hand_aot" hand-hottest "$bids" "$3/q5.txt" ;;
    q5:3) dotnet "$nexmark" q5 --source "$source" --sink "$sink" --parallelism 1 --log-level none ;;
    q5:4) "$nexmark_aot" q5 --source "$source" --sink "$sink" --parallelism 1 --log-level none ;;
    q5:5) "$nexmark_aot" q5 --source "$source" --sink "$sink" --log-level none ;;
  esac
}
export trill bids nexmark nexmark_aot harness hand_aot
export -f run_job
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cores="$(nproc)"
for query in "${queries[@]}"; do
  if [[ $query == q2 ]]; then
    echo "== Q2: the bids on auctions whose id 123 divides, as (auction,price)"
    names=("Trill Q2, row mode, JIT" "Compiled Q2, JIT, 1 partition" "Compiled Q2, AOT, 1 partition" "Compiled Q2, AOT, $cores partitions")
    # The answer, worked out with awk from the file, as sorted lines.
    awk -F, '$1 % 123 == 0 { print "(" $1 "," $3 ")" }' "$bids" | LC_ALL=C sort > "$work/expected"
  else
    echo "== Q5: each 10 s window's (every 2 s) hottest auctions, as (windowStart,auction,bids); batch interval 1s"
    names=("Trill Q5, row mode, JIT" "hand-written, JIT" "hand-written, AOT" "Compiled Q5, JIT, 1 partition" "Compiled Q5, AOT, 1 partition" "Compiled Q5, AOT, $cores partitions")
    # The answer: the harness's (HottestOutput, kept beside the file), worked out by its run-hottest when not there yet.
    if [[ ! -f "$bids.hottest" ]]; then
      echo "Working out the answer into $bids.hottest (once)..." >&2
      dotnet "$harness" run-hottest --bids "$bids" --hand-jit "$harness" --rounds 1 > /dev/null 2>&1
    fi
    tail -n +2 "$bids.hottest" > "$work/expected"
  fi
  echo "date (UTC): $(date -u '+%Y-%m-%d %H:%M'); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "input: $bids, $(( $(stat -c %s "$bids") / 1000000 )) MB, $(wc -l < "$work/expected") lines expected"
  echo "rounds: 1 unmeasured + $rounds measured, interleaved (the order rotates); every output's sorted lines checked against the answer"
  unset times cpus peaks
  declare -A times cpus peaks
  for ((round = 0; round <= rounds; round++)); do
    for ((k = 0; k < ${#names[@]}; k++)); do
      j=$(( (k + round) % ${#names[@]} ))
      out="$work/out"
      rm -rf "$out" && mkdir -p "$out"
      /usr/bin/time -f "%e %U %S %M" -o "$work/time" bash -c 'run_job "$0" "$1" "$2"' "$query" "$j" "$out"
      if ! cat "$out"/* | LC_ALL=C sort | cmp -s - "$work/expected"; then
        echo "${names[$j]}: its output differs from the answer (round $round); no time counts" >&2
        exit 1
      fi
      read -r elapsed user sys rss < "$work/time"
      if ((round > 0)); then
        times[$j]+="$elapsed "
        cpus[$j]+="$(echo "$user + $sys" | bc) "
        peaks[$j]=$(( ${peaks[$j]:-0} > rss ? ${peaks[$j]:-0} : rss ))
      fi
    done
  done
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  mb=$(( $(stat -c %s "$bids") / 1000000 ))
  trill_median=$(echo "${times[0]}" | median)
  trill_cpu=$(echo "${cpus[0]}" | median)
  printf '\n| %-34s | %8s | %7s | %10s | %9s | %10s | %9s |\n' "job" "median s" "MB/s" "Trill / it" "CPU s" "Trill / it" "peak RSS"
  printf '|%s|%s|%s|%s|%s|%s|%s|\n' "------------------------------------" "---------:" "--------:" "-----------:" "----------:" "-----------:" "----------:"
  for ((j = 0; j < ${#names[@]}; j++)); do
    m=$(echo "${times[$j]}" | median)
    c=$(echo "${cpus[$j]}" | median)
    printf '| %-34s | %8.2f | %7.0f | %9.2fx | %9.2f | %9.2fx | %6d MB |\n' "${names[$j]}" "$m" "$(echo "$mb / $m" | bc -l)" \
      "$(echo "$trill_median / $m" | bc -l)" "$c" "$(echo "$trill_cpu / $c" | bc -l)" "$(( ${peaks[$j]} / 1024 ))"
  done
  echo "(\"Trill / it\": Trill's median time over the job's, wall and CPU (user + system, every thread). Times of the measured rounds:"
  for ((j = 0; j < ${#names[@]}; j++)); do echo "  ${names[$j]}: ${times[$j]}s"; done
  echo ")"
  echo
done
