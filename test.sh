#!/usr/bin/env bash
# Runs every test project of the solution and ends with one line: "N passed, N failed, N skipped".
# Exits non-zero if anything failed or did not run. Works on a fresh clone: restores, builds, tests.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# The tests start real servers (redis-server, ...) on loopback ports: install the missing ones first.
if ! ./scripts/servers/install.sh; then
  echo "0 passed, 1 failed (the servers the tests need could not be installed)"
  exit 1
fi

# Release, so the end-to-end tests and the allocation tests see the code users run.
dotnet build Compiled.sln -c Release 2>&1 | tail -n 3
build=${PIPESTATUS[0]}
if [ "$build" -ne 0 ]; then
  dotnet build Compiled.sln -c Release 2>&1 | grep -E 'error|warn' | sort -u | head -n 50
  echo "0 passed, 1 failed (the build failed)"
  exit 1
fi

dotnet test --solution Compiled.sln -c Release --no-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# The summary at the end of 'dotnet test' covers every test project.
summary=$(sed -n '/Test run summary/,$p' "$log")
total=$(printf '%s\n' "$summary" | sed -n 's/^ *total: *\([0-9]*\).*/\1/p' | tail -n 1)
failed=$(printf '%s\n' "$summary" | sed -n 's/^ *failed: *\([0-9]*\).*/\1/p' | tail -n 1)
passed=$(printf '%s\n' "$summary" | sed -n 's/^ *succeeded: *\([0-9]*\).*/\1/p' | tail -n 1)
skipped=$(printf '%s\n' "$summary" | sed -n 's/^ *skipped: *\([0-9]*\).*/\1/p' | tail -n 1)

if [ -z "$total" ]; then
  echo "0 passed, 1 failed (no test summary: a test project did not run)"
  exit 1
fi
if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then
  # A test host crashed or a project reported an error without a failed test: count it as a failure.
  failed=1
fi

echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
[ "$status" -eq 0 ] && [ "${failed:-0}" -eq 0 ]
