#!/usr/bin/env bash
# Runs the tests COUNT times in a row (built once) and reports every run's totals, duration and failed tests, to
# find flaky tests. With --loaded K, the last K runs share the machine with a loop of `dotnet build --no-incremental`
# of a separate clone of HEAD (so the load never rewrites the binaries under test): a test that only passes on a
# quiet machine shows up there.
#
#   scripts/repeat-tests.sh [--loaded K] <solution, test project dir or .csproj> <count> [dotnet test args...]
#   scripts/repeat-tests.sh --loaded 2 HealthFlow.sln 5          # the whole suite, five runs, two of them loaded
#   scripts/repeat-tests.sh tests/HealthFlow.EndToEnd.Tests 3 --filter "FullyQualifiedName~Escalation"
#
# Run it in the environment the tests expect (.ci/run sets HEALTHFLOW_REQUIRE_BROWSER and friends, and starts
# podman's socket for the container tests); otherwise those tests skip, and say why. Each run's full output is kept in
# $REPEAT_LOG_DIR (default: a new temporary directory), named run-N.log; the background builds' in load.log.
set -euo pipefail

loaded=0
if [[ ${1:-} == --loaded ]]; then
  loaded=${2:-}
  shift 2 || true
fi
if [[ $# -lt 2 ]]; then
  echo "usage: $0 [--loaded K] <solution or test project> <count> [dotnet test args...]" >&2
  exit 2
fi
target=$1
count=$2
shift 2
if ! [[ $count =~ ^[1-9][0-9]*$ ]]; then
  echo "count must be a positive integer, got '$count'" >&2
  exit 2
fi
if ! [[ $loaded =~ ^[0-9]+$ ]] || ((loaded > count)); then
  echo "--loaded must be a number of runs from 0 to $count, got '$loaded'" >&2
  exit 2
fi

root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
logs=${REPEAT_LOG_DIR:-$(mktemp -d -t repeat-tests.XXXXXX)}
mkdir -p "$logs"
load_pid=
load_clone=
stop_load() {
  if [[ -n $load_pid ]]; then
    kill -- -"$load_pid" 2>/dev/null || kill "$load_pid" 2>/dev/null || true
    wait "$load_pid" 2>/dev/null || true
    load_pid=
  fi
}
cleanup() {
  stop_load
  [[ -z $load_clone ]] || rm -rf "$load_clone"
}
trap cleanup EXIT

start_load() {
  if [[ -z $load_clone ]]; then
    load_clone=$(mktemp -d -t repeat-tests-load.XXXXXX)
    git clone --quiet "$root" "$load_clone"
  fi
  # Its own process group, so stopping it stops the build servers it started too.
  setsid bash -c 'cd "$1" && while true; do dotnet build HealthFlow.sln --no-incremental -nodeReuse:false -p:UseSharedCompilation=false >>"$2" 2>&1 || true; done' \
    _ "$load_clone" "$logs/load.log" &
  load_pid=$!
}

dotnet build "$target" >"$logs/build.log" 2>&1 || { echo "build failed; see $logs/build.log" >&2; exit 1; }

# Sums the per-project summary lines of `dotnet test` ("Failed!  - Failed: 1, Passed: 93, Skipped: 0, ...").
totals() {
  awk '/(Passed|Failed)! +- Failed:/ {
         for (i = 1; i <= NF; i++) { v = $(i + 1); gsub(/,/, "", v)
           if ($i == "Failed:") f += v; else if ($i == "Passed:") p += v; else if ($i == "Skipped:") s += v } }
       END { printf "%d passed, %d failed, %d skipped", p, f, s }' "$1"
}

failed_runs=0
for ((run = 1; run <= count; run++)); do
  log="$logs/run-$run.log"
  kind=quiet
  if ((run > count - loaded)); then
    kind=loaded
    [[ -n $load_pid ]] || start_load
  fi
  started=$SECONDS
  if dotnet test "$target" --no-build "$@" >"$log" 2>&1; then
    echo "run $run/$count ($kind): passed in $((SECONDS - started)) s: $(totals "$log")"
  else
    failed_runs=$((failed_runs + 1))
    echo "run $run/$count ($kind): FAILED in $((SECONDS - started)) s: $(totals "$log") ($log)"
    grep -E '^\s+Failed [A-Za-z]' "$log" | sed 's/^ */    /' || echo "    (no failed test named; the run itself failed)"
  fi
done
stop_load

echo "$failed_runs of $count runs failed; logs in $logs"
[[ $failed_runs -eq 0 ]]
