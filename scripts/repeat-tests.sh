#!/usr/bin/env bash
# Runs one test project COUNT times in a row (built once) and reports how many runs failed and which tests failed
# in each, to find flaky tests. Usage: scripts/repeat-tests.sh <test project dir or .csproj> <count> [dotnet test args...]
# Each run's full output is kept in $REPEAT_LOG_DIR (default: a new temporary directory), named run-N.log.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 <test project> <count> [dotnet test args...]" >&2
  exit 2
fi
project=$1
count=$2
shift 2
if ! [[ $count =~ ^[1-9][0-9]*$ ]]; then
  echo "count must be a positive integer, got '$count'" >&2
  exit 2
fi

logs=${REPEAT_LOG_DIR:-$(mktemp -d -t repeat-tests.XXXXXX)}
mkdir -p "$logs"
dotnet build "$project" >"$logs/build.log" 2>&1 || { echo "build failed; see $logs/build.log" >&2; exit 1; }

failed_runs=0
for ((run = 1; run <= count; run++)); do
  log="$logs/run-$run.log"
  if dotnet test "$project" --no-build "$@" >"$log" 2>&1; then
    echo "run $run/$count: passed ($(grep -Eo 'Passed: +[0-9]+' "$log" | tail -1 | tr -s ' '))"
  else
    failed_runs=$((failed_runs + 1))
    echo "run $run/$count: FAILED ($log)"
    grep -E '^\s+Failed [A-Za-z]' "$log" | sed 's/^ */    /' || echo "    (no failed test named; the run itself failed)"
  fi
done

echo "$failed_runs of $count runs failed; logs in $logs"
[[ $failed_runs -eq 0 ]]
