#!/usr/bin/env bash
# Runs Salvo's CI stages and prints how long each took (`stage NAME: N s`).
#
# Usage: scripts/test.sh [STAGE...]      (default: every stage, in this order)
#
#   optimized  RelWithDebInfo build in build/ and every ctest test: first those without
#              the `slurm` label, then, between tests/slurm/start.sh and
#              tests/slurm/stop.sh (a one-node cluster on this machine, unless one was
#              already running), the `slurm` ones, within SALVO_SLURM_SECONDS in all.
#   asan       Debug build with AddressSanitizer and UBSan in build-asan/, running every
#              test except those labelled `slurm`.
#   tsan       ThreadSanitizer build in build-tsan/ of only the test programs whose tests
#              carry the `tsan` label in build/ (the coordinator and agent tests), running
#              those tests with scripts/tsan.supp. Skipped while no test has the label.
#   fuzz       scripts/fuzz.sh: a clang build in build-fuzz/ of the fuzz targets of
#              tests/fuzz (-DSALVO_FUZZ=ON), each fuzzed for SALVO_FUZZ_SECONDS.
#
# Every stage runs even when an earlier one failed. The last line sums the ctest counts
# (a fuzz target counts as one test, a failed build as one failure):
# `N passed, N failed`. Exit status 0 when every stage passed, 1 otherwise.
#
# Environment (defaults in brackets):
#   JOBS [nproc]                 parallel compile jobs
#   CTEST_JOBS [2]               parallel tests
#   SALVO_TEST_TIMEOUT [600]     seconds a test without its own TIMEOUT may run
#   SALVO_FUZZ_SECONDS [30]      seconds per fuzz target
#   SALVO_SLURM_SECONDS [1200]   seconds the `slurm` tests may take together
#   SALVO_SKIP_DEPS [0]          1: do not run scripts/install-deps.sh
#   SALVO_BUILD_ROOT [<repo>]    where build/, build-asan/, ... are made
#   CCACHE_DIR [<repo>/.cache/ccache]

# shellcheck disable=SC2317  # stage_NAME functions are called by name from the main loop
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

export CCACHE_DIR=${CCACHE_DIR:-$root/.cache/ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
export JOBS=${JOBS:-$(nproc)}
readonly CTEST_JOBS=${CTEST_JOBS:-2}
readonly TEST_TIMEOUT=${SALVO_TEST_TIMEOUT:-600}
readonly FUZZ_SECONDS=${SALVO_FUZZ_SECONDS:-30}
readonly SLURM_SECONDS=${SALVO_SLURM_SECONDS:-1200}
readonly ALL_STAGES=(optimized asan tsan fuzz)
readonly CLUSTER=tests/slurm/local-cluster.sh
readonly CLUSTER_START=tests/slurm/start.sh
readonly CLUSTER_STOP=tests/slurm/stop.sh
readonly build_root=${SALVO_BUILD_ROOT:-$root}
readonly optimized_dir=$build_root/build
readonly asan_dir=$build_root/build-asan
readonly tsan_dir=$build_root/build-tsan

total_passed=0
total_failed=0
summary=()
cluster_started_here=0

log() { echo "test: $*"; }

# ---------------------------------------------------------------------------------------
# helpers

stop_cluster_if_ours() {
  if ((cluster_started_here)); then
    bash "$CLUSTER_STOP" || log "warning: stopping the local Slurm cluster failed"
    cluster_started_here=0
  fi
}
scratch=$(mktemp -d)
on_exit() {
  stop_cluster_if_ours
  rm -rf "$scratch"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Number of tests in build dir $1 that match the ctest selection in the other arguments.
count_tests() {
  local dir=$1
  shift
  ctest --test-dir "$dir" -N "$@" 2>/dev/null | sed -n 's/^Total Tests: \([0-9]*\)$/\1/p'
}

# Runs ctest in build dir $1 with the other arguments and adds its counts to the totals.
# Returns non-zero when a test failed or ctest itself did.
run_ctest() {
  local dir=$1
  shift
  local output="$scratch/ctest.log" rc=0
  local limit=()
  if [[ -n "${SALVO_CTEST_LIMIT:-}" ]]; then
    limit=(timeout --kill-after=30 "$SALVO_CTEST_LIMIT")
  fi
  "${limit[@]}" ctest --test-dir "$dir" --output-on-failure --timeout "$TEST_TIMEOUT" \
    -j "$CTEST_JOBS" "$@" </dev/null 2>&1 | tee "$output" || rc=$?

  local line total=0 failed=0
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$output" |
    tail -n 1 || true)
  if [[ -n "$line" ]]; then
    failed=$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$line")
    total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  elif ((rc != 0)); then
    log "ctest failed (exit $rc) before reporting results"
    failed=1
  fi
  total_passed=$((total_passed + total - failed))
  total_failed=$((total_failed + failed))
  ((rc == 0 && failed == 0))
}

# Builds with scripts/build.sh (arguments as there); a failed build counts as one failure.
build() {
  bash scripts/build.sh "$@" && return 0
  log "the build in $1 failed"
  total_failed=$((total_failed + 1))
  return 1
}

# The names of the test programs in build dir $1 whose tests carry label $2.
test_programs_with_label() {
  ctest --test-dir "$1" -N -L "$2" --show-only=json-v1 2>/dev/null |
    /usr/bin/python3 -c '
import json, os, sys
tests = json.load(sys.stdin).get("tests", [])
names = {os.path.basename(t["command"][0]) for t in tests if t.get("command")}
print(" ".join(sorted(names)))'
}

# ---------------------------------------------------------------------------------------
# stages (each returns non-zero when it failed)

stage_optimized() {
  build "$optimized_dir" || return 1

  local ok=0
  run_ctest "$optimized_dir" -LE slurm || ok=1

  local slurm_tests
  slurm_tests=$(count_tests "$optimized_dir" -L slurm)
  ((${slurm_tests:-0} > 0)) || return "$ok"
  if ! bash "$CLUSTER" status >/dev/null 2>&1; then
    if ! timeout 120 bash "$CLUSTER_START"; then
      log "the local Slurm cluster did not start; the $slurm_tests slurm tests fail"
      total_failed=$((total_failed + slurm_tests))
      return 1
    fi
    cluster_started_here=1
  fi
  # The slurm tests run one at a time (RUN_SERIAL) against the one node; the whole set
  # is bounded, whatever the tests' own timeouts add up to.
  SALVO_SLURM_REQUIRED=1 SALVO_CTEST_LIMIT=$SLURM_SECONDS run_ctest "$optimized_dir" -L slurm ||
    ok=1
  stop_cluster_if_ours
  return "$ok"
}

stage_asan() {
  build "$asan_dir" -DCMAKE_BUILD_TYPE=Debug \
    -DSALVO_SANITIZE=address,undefined -DSALVO_BENCH=OFF || return 1
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_ctest "$asan_dir" -LE slurm
}

# Hook: does nothing until tests carry the `tsan` label (set through the LABELS property
# of gtest_discover_tests). Only the programs holding those tests are built.
stage_tsan() {
  local programs
  programs=$(test_programs_with_label "$optimized_dir" tsan)
  if [[ -z "$programs" ]]; then
    echo "stage tsan: no tests yet (none labelled tsan in $optimized_dir)"
    return 0
  fi
  BUILD_TARGETS="$programs" build "$tsan_dir" \
    -DSALVO_SANITIZE=thread -DSALVO_BENCH=OFF || return 1
  local options="halt_on_error=1:second_deadlock_stack=1"
  TSAN_OPTIONS="$options:suppressions=$root/scripts/tsan.supp" \
    run_ctest "$tsan_dir" -L tsan
}

# Runs scripts/fuzz.sh (the clang build of tests/fuzz and a fixed time per target) and
# counts its `fuzz T: ... OK` and `fuzz T: CRASH ...` lines. Does nothing while there are
# no fuzz targets.
stage_fuzz() {
  if [[ ! -f tests/fuzz/CMakeLists.txt || ! -f scripts/fuzz.sh ]]; then
    echo "stage fuzz: no fuzz targets yet"
    return 0
  fi
  local output="$scratch/fuzz.log" rc=0
  SALVO_BUILD_ROOT="$build_root" bash scripts/fuzz.sh "$FUZZ_SECONDS" 2>&1 |
    tee "$output" || rc=$?

  local ok crashed
  ok=$(grep -c -E '^fuzz [^ ]+: .*OK$' "$output" || true)
  crashed=$(grep -c -E '^fuzz [^ ]+: CRASH' "$output" || true)
  total_passed=$((total_passed + ok))
  total_failed=$((total_failed + crashed))
  if ((rc != 0 && crashed == 0)); then
    log "scripts/fuzz.sh failed (exit $rc) before fuzzing"
    total_failed=$((total_failed + 1))
  fi
  return "$rc"
}

# ---------------------------------------------------------------------------------------
# main

stages=("$@")
if ((${#stages[@]} == 0)); then
  stages=("${ALL_STAGES[@]}")
fi
for stage in "${stages[@]}"; do
  if ! declare -F "stage_$stage" >/dev/null; then
    echo "test: error: unknown stage '$stage' (stages: ${ALL_STAGES[*]})" >&2
    exit 2
  fi
done

started=$SECONDS
if [[ "${SALVO_SKIP_DEPS:-0}" != 1 ]]; then
  bash scripts/install-deps.sh
  echo "stage deps: $((SECONDS - started)) s"
fi

any_failed=0
for stage in "${stages[@]}"; do
  log "=== stage $stage ==="
  stage_started=$SECONDS
  if "stage_$stage"; then
    result=passed
  else
    result=FAILED
    any_failed=1
  fi
  echo "stage $stage: $((SECONDS - stage_started)) s"
  summary+=("$stage $result in $((SECONDS - stage_started)) s")
done

echo
log "summary (total $((SECONDS - started)) s):"
printf '  %s\n' "${summary[@]}"
echo "$total_passed passed, $total_failed failed"
exit "$any_failed"
