#!/usr/bin/env bash
# Model-guided batches end to end: a converging gp search never runs a point twice and
# reports the duplicates it replaced, a space of numeric choices gets only its members and
# ends when it is exhausted, and trials running at once (-j) have distinct flags.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"
PY=${SALVO_PYTHON:-python3}

# Flag values of the trials of batch $1 as "name=value ..." lines.
trial_flags() {
  salvo runs --all --json | "$PY" -c '
import json, sys
def plain(v):
    return v.get("f", v.get("i")) if isinstance(v, dict) else v
for r in json.load(sys.stdin):
    if r["kind"] == "trial" and r["batch_id"] == sys.argv[1]:
        print(" ".join("%s=%s" % (k, plain(v)) for k, v in sorted(r["flags"].items())))' "$1"
}

# A deterministic 1-D objective (the Forrester function): after gp converges it would
# suggest its best point again; those suggestions are replaced, counted and reported.
cat > forrester.py <<'PY'
import math
x = 0.5
print("loss: %s" % ((6 * x - 2) ** 2 * math.sin(12 * x - 4)))
PY
out=$(salvo run forrester.py 'x=[0.0:1.0]' -o gp -m 40 --random-seed 1 -y -q 2>&1); rc=$?
expect_code "gp on the Forrester function" 0 "$rc"
batch=$(salvo select -o forrester.py+gp)
flags=$(trial_flags "$batch")
expect_eq "forty trials" 40 "$(echo "$flags" | wc -l | tr -d ' ')"
expect_eq "no point is run twice" 40 "$(echo "$flags" | sort -u | wc -l | tr -d ' ')"
expect_contains "runs info tells random starts from guided trials" \
  "$(salvo runs info "$batch")" "starts: 3 random / 37 guided"
# The replaced suggestions, counted three ways: each trial's log line, the summary and
# runs info agree, and there are some (a converged gp suggests its best point again).
check_duplicates() {  # NAME OUTPUT BATCH
  local logged replaced
  logged=$(echo "$2" | sed -n 's/^info: Trial [0-9a-f]\{8\}: \([0-9]*\) suggestion(s) equal to an earlier point replaced by .*/\1/p' \
    | awk '{n += $1} END {print n + 0}')
  replaced=$(salvo runs info "$3" | awk -F': ' '/^duplicates replaced: / {print $2}')
  if [ "$logged" -gt 0 ]; then pass "$1: duplicates happened ($logged logged)"
  else fail "$1: no replaced duplicate was logged:
$2"; fi
  expect_eq "$1: runs info counts the duplicates" "$logged" "$replaced"
  expect_contains "$1: the summary reports the duplicates" "$2" \
    "; $logged duplicate suggestion(s) replaced"
}
check_duplicates "forrester" "$out" "$batch"
expect_match "each replacement is logged with the new point's values" "$out" \
  "info: Trial [0-9a-f]{8}: [0-9]+ suggestion\\(s\\) equal to an earlier point replaced by x=[0-9.e-]+"

# Duplicates for certain: LCB with kappa 0 suggests the lowest predicted loss, which
# after the minimum x=3 of a 6-point integer space has been found is x=3 again.
cat > parabola.py <<'PY'
x = 1
print("loss: %s" % ((x - 3) ** 2))
PY
out=$(salvo run parabola.py 'x=[1:6]' -o gp -m 6 -Fo acq-func=LCB -Fo kappa=0 --random-seed 1 -y -q 2>&1); rc=$?
expect_code "gp on a 6-point integer space" 0 "$rc"
batch=$(salvo select -o parabola.py+gp)
check_duplicates "integer space" "$out" "$batch"
expect_eq "integer space: each of the 6 points once" "x=1 x=2 x=3 x=4 x=5 x=6" \
  "$(trial_flags "$batch" | sort | paste -sd ' ')"

# Only numeric choices: every suggestion is a member of the lists, and a budget larger
# than the space ends after its 9 distinct points instead of failing.
cat > units.py <<'PY'
units = 64
layers = 1
print("loss: %s" % (abs(units - 128) / 64.0 + abs(layers - 2)))
PY
out=$(salvo run units.py 'units=[64,128,256]' 'layers=[1,2,3]' -o gp -m 12 --random-seed 2 -y -q 2>&1); rc=$?
expect_code "gp over numeric choices" 0 "$rc"
expect_not_contains "no internal error" "$out" "rror"
batch=$(salvo select -o units.py+gp)
flags=$(trial_flags "$batch")
members=$(echo "$flags" | grep -cE '^layers=[123] units=(64|128|256)$')
expect_eq "every suggestion is a member of the lists" 9 "$members"
expect_eq "each of the 9 points once" 9 "$(echo "$flags" | sort -u | wc -l | tr -d ' ')"
expect_contains "the batch says the space is exhausted" "$out" \
  "search space exhausted after 9 distinct points"

# Trials running at the same time are told apart: with -j 4 no two trials share flags.
cat > pair.py <<'PY'
import time
x = 0.0
y = 0.0
time.sleep(0.2)
print("loss: %s" % (x * x + y * y))
PY
out=$(salvo run pair.py 'x=[-2.0:2.0]' 'y=[-2.0:2.0]' -o gp -m 16 -j 4 --random-seed 3 -y -q 2>&1); rc=$?
expect_code "gp with four trials at once" 0 "$rc"
batch=$(salvo select -o pair.py+gp)
flags=$(trial_flags "$batch")
expect_eq "sixteen trials" 16 "$(echo "$flags" | wc -l | tr -d ' ')"
expect_eq "trials in flight have distinct flags" 16 "$(echo "$flags" | sort -u | wc -l | tr -d ' ')"
finish
