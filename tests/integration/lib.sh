# Helpers for the integration tests: each test script sources this file, runs the salvo
# binary in a fresh SALVO_HOME and asserts on what it prints and stores.
set -uo pipefail

SALVO=${SALVO:?set SALVO to the salvo binary}
SRC=${SALVO_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/salvo-it.XXXXXX")
export SALVO_HOME="$WORK/home"
failures=0
checks=0
cleanup() {
  local pids
  pids=$(jobs -p)
  [ -n "$pids" ] && kill $pids 2>/dev/null
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

salvo() { "$SALVO" "$@"; }

pass() { checks=$((checks + 1)); echo "ok: $1"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL: $1" >&2; }

expect_eq() {  # NAME EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then pass "$1"; else fail "$1: expected [$2], got [$3]"; fi
}
expect_contains() {  # NAME HAYSTACK NEEDLE
  if [[ "$2" == *"$3"* ]]; then pass "$1"; else fail "$1: [$3] not in:
$2"; fi
}
expect_not_contains() {
  if [[ "$2" != *"$3"* ]]; then pass "$1"; else fail "$1: [$3] unexpectedly in:
$2"; fi
}
expect_match() {  # NAME TEXT REGEX
  if [[ "$2" =~ $3 ]]; then pass "$1"; else fail "$1: /$3/ does not match:
$2"; fi
}
expect_code() {  # NAME EXPECTED ACTUAL
  expect_eq "$1 (exit status)" "$2" "$3"
}

finish() {
  echo "$((checks - failures)) passed, $failures failed"
  [ "$failures" -eq 0 ]
}

# Waits (up to 10 s) until `salvo runs` shows a running run.
wait_for_running() {
  for _ in $(seq 1 200); do
    salvo runs 2>/dev/null | grep -q ' running ' && return 0
    sleep 0.05
  done
  return 1
}

# Count lines of `salvo runs --all` whose operation column equals $1.
count_op() { salvo runs --all | awk -v op="$1" '$2 == op' | wc -l | tr -d ' '; }
