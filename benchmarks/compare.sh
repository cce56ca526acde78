#!/usr/bin/env bash
# Paired comparisons for RESULTS.md: each line alternates two variants for N rounds in one process and
# prints the median of the per-round ratios, which a shared, noisy machine disturbs far less than it does
# two BenchmarkDotNet measurements taken minutes apart. Usage: benchmarks/compare.sh [rounds]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-40}
dotnet build benchmarks/Compiled.Benchmarks -c Release -v quiet -nologo | grep -E 'error|warn' || true
dll=benchmarks/Compiled.Benchmarks/bin/Release/net10.0/Compiled.Benchmarks.dll

run() { # pgo baseline other
  echo "### DOTNET_TieredPGO=$1: $3 / $2"
  DOTNET_TieredPGO=$1 dotnet "$dll" compare "$2" "$3" "$rounds" --quick | grep -v '^//'
}

run 1 hand-written compiled
run 1 frame-hand frame-framer
run 1 split-hand split-framer
run 1 table table-adjacent
run 1 table hash
run 1 fused-emitted fused-local
run 0 hand-written compiled
run 0 split-hand split-framer
run 0 fused-emitted fused-local
