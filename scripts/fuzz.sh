#!/usr/bin/env bash
# Builds Salvo's libFuzzer targets (tests/fuzz) with clang and fuzzes each one.
#
# Usage: scripts/fuzz.sh [SECONDS]     (default 30 seconds per target)
#
# Configures build-fuzz/ (SALVO_BUILD_ROOT overrides where it is made) with clang,
# -DSALVO_FUZZ=ON and AddressSanitizer + UBSan, tests and benchmarks off, builds the
# targets, then runs each for SECONDS. The seeds of target T are tests/fuzz/corpus/T,
# copied to a temporary folder first so the checked-in corpus never changes. Prints
# `fuzz T: N execs, OK` per target (N from libFuzzer's final stats); a target that
# crashes prints `fuzz T: CRASH, reproducer: PATH` and its log. Exit status 0 when every
# target ran clean, 1 otherwise. Reproduce with `build-fuzz/tests/fuzz/T PATH`.
#
# Environment: JOBS [2] compile jobs; FUZZ_TARGETS (space separated) to run only those.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-30}
build_dir=${SALVO_BUILD_ROOT:-$root}/build-fuzz
jobs=${JOBS:-2}
targets=(fuzz_flag_value fuzz_output_scalars fuzz_record_json fuzz_batch_file
  fuzz_operation_file fuzz_run_selection fuzz_column_specs fuzz_protocol fuzz_slurm_output)
if [[ -n "${FUZZ_TARGETS:-}" ]]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
fi

CC=clang CXX=clang++ cmake -S "$root" -B "$build_dir" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSALVO_FUZZ=ON -DSALVO_TESTS=OFF \
  -DSALVO_BENCH=OFF -DSALVO_SANITIZE=address,undefined >/dev/null
ninja -C "$build_dir" -j "$jobs" "${targets[@]}"

work=$(mktemp -d "${TMPDIR:-/tmp}/salvo-fuzz.XXXXXX")
artifacts=$root/.cache/fuzz/artifacts
mkdir -p "$artifacts"
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
failed=0
for target in "${targets[@]}"; do
  corpus=$work/$target
  mkdir -p "$corpus"
  if [[ -d "$root/tests/fuzz/corpus/$target" ]]; then
    cp "$root/tests/fuzz/corpus/$target"/. "$corpus" -r
  fi
  log=$work/$target.log
  # libFuzzer writes a crashing input to the artifact prefix and names it in its log.
  if "$build_dir/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/$target-" \
    "$corpus" </dev/null >"$log" 2>&1; then
    execs=$(sed -n -E 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log")
    echo "fuzz $target: ${execs:-?} execs, OK"
  else
    reproducer=$(sed -n -E 's/.*Test unit written to (.*)$/\1/p' "$log" | tail -n 1)
    echo "fuzz $target: CRASH, reproducer: ${reproducer:-none written}"
    tail -n 40 "$log"
    failed=1
  fi
done
rm -rf "$work"
exit "$failed"
