#!/usr/bin/env bash
# Measures what Salvo adds to each trial of a batch: the wall time of a 20-trial grid
# of examples/train.py run by `salvo run`, minus that of 20 bare runs of the script with
# the same interpreter, divided by 20. The target is under 20 ms per trial.
#
# Usage: bench/overhead/run.sh [SALVO_BIN]      (default: build/coordinator/salvo)
#
# Environment: SALVO_PYTHON (default: python3 on PATH) is the interpreter of both the
# bare runs and the trials; ROUNDS (default 3) repeats the measurement, each round in a
# fresh temporary SALVO_HOME, and the median round is the figure. Exits 1 when salvo
# fails, 0 otherwise (the target is reported, not enforced).
set -euo pipefail

readonly TRIALS=20
readonly TARGET_MS=20

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
salvo=${1:-$root/build/coordinator/salvo}
if [[ ! -x "$salvo" ]]; then
  echo "overhead: error: no salvo binary at $salvo (build it or pass its path)" >&2
  exit 2
fi
# The interpreter itself, not a wrapper such as a pyenv shim, whose start-up would
# swamp the figure.
SALVO_PYTHON=${SALVO_PYTHON:-$(python3 -c 'import sys; print(sys.executable)')}
export SALVO_PYTHON
rounds=${ROUNDS:-3}

homes=()
cleanup() {
  if ((${#homes[@]} > 0)); then
    rm -rf "${homes[@]}"
  fi
}
trap cleanup EXIT

now() { date +%s.%N; }
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }

bare_ms() {
  local started i
  started=$(now)
  for ((i = 0; i < TRIALS; i++)); do
    "$SALVO_PYTHON" examples/train.py >/dev/null
  done
  ms_between "$started" "$(now)"
}

# Runs the grid with SALVO_HOME=$1 and prints its wall time in ms.
salvo_ms() {
  local home=$1 started log
  log="$home/batch.log"
  started=$(now)
  if ! SALVO_HOME="$home" "$salvo" run examples/train.py "x=linspace[-2:2:$TRIALS]" -y \
    </dev/null >"$log" 2>&1; then
    echo "overhead: error: salvo run failed; its output:" >&2
    cat "$log" >&2
    exit 1
  fi
  ms_between "$started" "$(now)"
}

echo "overhead: $TRIALS trials of examples/train.py, $rounds rounds"
echo "overhead: salvo $salvo, python $SALVO_PYTHON"
per_trial=()
for ((round = 1; round <= rounds; round++)); do
  home=$(mktemp -d)
  homes+=("$home")
  bare=$(bare_ms)
  batch=$(salvo_ms "$home")
  overhead=$(awk -v s="$batch" -v b="$bare" -v n="$TRIALS" \
    'BEGIN { printf "%.1f", (s - b) / n }')
  per_trial+=("$overhead")
  echo "round $round: bare $bare ms, salvo $batch ms, overhead $overhead ms/trial"
done

median=$(printf '%s\n' "${per_trial[@]}" | sort -g | awk '{ v[NR] = $1 } END {
  if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
}')
if awk -v m="$median" -v t="$TARGET_MS" 'BEGIN { exit !(m < t) }'; then
  verdict="met"
else
  verdict="NOT met"
fi
echo "overhead per trial (median of $rounds rounds): $median ms;" \
  "target < $TARGET_MS ms: $verdict"
