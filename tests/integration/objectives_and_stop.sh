#!/usr/bin/env bash
# Bad objective values, missing objectives, failing trials, small budgets, stopping a
# batch or one trial, and Ctrl-C.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"

# A NaN objective is kept with a visible status, left out of the model, and the batch
# still reaches its 10 trials. The first trial starts at x=1.8, so at least one is NaN.
cat > nan.py <<'PY'
import math
x = 0.0
print("loss: %s" % ("nan" if x > 1.5 else math.sin(5 * x)))
PY
out=$(salvo run nan.py 'x=[-2.0:2.0:1.8]' -o gp -m 10 --random-seed 5 -y -q 2>&1); rc=$?
expect_code "gp batch with NaN trials" 0 "$rc"
expect_eq "ten trials" 10 "$(salvo runs --all | grep -c 'nan.py  ')"
nan_trials=$(salvo runs --all --json -o nan.py | "${PYTHON:-python3}" -c '
import json, sys
runs = [r for r in json.load(sys.stdin) if r["kind"] == "trial"]
bad = [r for r in runs if r["reason"] == "objective '"'"'loss'"'"' is nan"]
over = [r for r in runs if isinstance(r["flags"]["x"], dict) and r["flags"]["x"]["f"] > 1.5]
print(len(bad), all(r["status"] == "error" for r in bad), len(bad) == len(over),
      any(r["flags"]["x"] == {"f": 1.8} for r in bad))')
n_nan=${nan_trials%% *}
if [ "$n_nan" -ge 1 ] 2>/dev/null; then pass "NaN trials happened ($n_nan)"
else fail "no trial had a NaN objective: $nan_trials"; fi
expect_eq "NaN trials are errors with the reason" "$n_nan True True True" "$nan_trials"
expect_contains "the summary counts the NaN trials as failed" "$out" \
  "10 trial(s): $((10 - n_nan)) completed, $n_nan failed"
expect_contains "each NaN trial is reported" "$out" "failed (objective 'loss' is nan)"

# No trial reports the objective: the batch stops after 5 in a row and names what they did
# report.
cat > val.py <<'PY'
x = 0.0
print("val_loss: %s" % (x * x))
PY
out=$(salvo run val.py 'x=[-2.0:2.0]' -o gp -m 20 --minimize loss -y -q 2>&1); rc=$?
expect_code "missing objective stops the batch" 1 "$rc"
expect_eq "stopped after five trials" 5 "$(salvo runs --all | grep -c 'val.py  ')"
expect_contains "summary names the objective and the scalars" "$out" "5 trials in a row reported no 'loss' (they reported: val_loss)"
expect_contains "summary counts usable observations" "$out" "0 usable observations of 'loss'"
expect_eq "each trial without the objective is warned about" 5 \
  "$(echo "$out" | grep -c "^warning: Trial [0-9a-f]* completed without objective 'loss'")"

# The limit is configurable: 2 stops after two, 0 never stops.
salvo runs rm -y $(salvo select --all -o val.py) $(salvo select --all -o val.py+gp) >/dev/null 2>&1
out=$(salvo run val.py 'x=[-2.0:2.0]' -o gp -m 20 --missing-objective-limit 2 -y -q 2>&1); rc=$?
expect_code "a lower missing-objective limit" 1 "$rc"
expect_contains "stops after the limit" "$out" "2 trials in a row reported no 'loss'"
salvo runs rm -y $(salvo select --all -o val.py) $(salvo select --all -o val.py+gp) >/dev/null 2>&1
out=$(salvo run val.py 'x=[-2.0:2.0]' -o gp -m 6 --missing-objective-limit 0 -y -q 2>&1); rc=$?
expect_code "no missing-objective limit" 0 "$rc"
expect_eq "every trial of the budget ran" 6 "$(salvo runs --all | grep -c 'val.py  ')"
# Every trial fails at once: bounded time, status error, first error in runs info.
cat > boom.py <<'PY'
x = 0.0
raise RuntimeError("boom")
PY
out=$(salvo run boom.py 'x=[-2.0:2.0]' -o random -m 6 -y -q 2>&1); rc=$?
expect_code "all trials failed" 1 "$rc"
batch=$(salvo select -o boom.py+random)
info=$(salvo runs info "$batch")
expect_contains "batch status error" "$info" "every trial failed"
expect_contains "first error shown" "$info" "exit status 1"

# Small budgets and random starts (cases 12-14).
cat > sq.py <<'PY'
x = 0.0
print("loss: %s" % ((x - 0.3) ** 2))
PY
out=$(salvo run sq.py 'x=[-2.0:2.0]' -o gp -m 2 -y -q 2>&1); rc=$?
expect_code "gp with fewer trials than random starts" 0 "$rc"
expect_contains "says no model-guided trial" "$out" "2 random / 0 guided"
expect_contains "says so plainly" "$out" "no model-guided trial happened"
out=$(salvo run sq.py 'x=[-2.0:2.0]' -o gp -Fo random-starts=10 -m 5 -y -q 2>&1); rc=$?
expect_code "random-starts above the budget" 0 "$rc"
expect_contains "all random" "$out" "5 random / 0 guided"
out=$(salvo run sq.py 'x=[-2.0:2.0]' -o gp -Fo random-starts=0 -m 5 -y -q 2>&1); rc=$?
expect_code "random-starts=0 on a fresh batch" 0 "$rc"
expect_contains "first random, then guided" "$out" "1 random / 4 guided"
batch=$(salvo select -o sq.py+gp)
out=$(salvo run --restart "$batch" -Fo random-starts=0 -m 3 -y -q 2>&1); rc=$?
expect_code "restart with history" 0 "$rc"
expect_contains "restart loads the history" "$out" "Loaded 5 previous trial(s)"
expect_contains "restart is model-guided from its first trial" "$out" "1 random / 7 guided"

# A log-scaled sequence as an operation-file default expands like on the command line.
cat > w.py <<'PY'
weight = 1.0
print("loss: %s" % weight)
PY
cat > salvo.yml <<'YML'
train:
  main: w
  flags:
    weight: logspace[-2:2:5:2]
YML
out=$(salvo run train -o random --print-trials 2>&1); rc=$?
expect_code "print trials from an operation file" 0 "$rc"
for v in 0.25 0.5 1.0 2.0 4.0; do
  expect_contains "logspace default has $v" "$out" "$v"
done
out=$(salvo run train --print-trials 2>&1)
expect_eq "grid of the expanded default" 6 "$(echo "$out" | wc -l | tr -d ' ')"

# salvo stop: one trial of a running batch, then the batch; both end terminated.
cat > long.py <<'PY'
import time
x = 1
time.sleep(30)
print("loss: 1")
PY
"$SALVO" run long.py 'x=[1,2,3]' -y -q > "$WORK/stop.log" 2>&1 &
runner=$!
wait_for_running
trial=$(salvo select --running -o long.py)
salvo stop "$trial" >/dev/null 2>&1
expect_eq "stopped trial terminated" "terminated" "$(salvo select "$trial" --attr status)"
for _ in $(seq 1 50); do
  [ "$(salvo select --running -o long.py 2>/dev/null)" != "" ] && break
  sleep 0.1
done
batch=$(salvo select -o long.py+)
out=$(salvo stop "$batch" 2>&1); rc=$?
expect_code "stop batch" 0 "$rc"
wait "$runner"; rc=$?
expect_code "stopped batch exit status" 1 "$rc"
expect_eq "batch terminated" "terminated" "$(salvo select "$batch" --attr status)"
expect_eq "no trial left running" "" "$(salvo select --running --all -o long.py 2>/dev/null)"
expect_eq "the last trial stays pending" 1 "$(salvo runs --all | grep 'long.py  ' | grep -c pending)"
# Only this test's trials; a process killed as its runner exits may take a moment to go.
for _ in $(seq 1 40); do
  left=$(pgrep -f "$WORK/home/runs/.*/long.py" | wc -l | tr -d ' ')
  [ "$left" -eq 0 ] && break
  sleep 0.05
done
expect_eq "trial processes are gone" 0 "$left"

# Ctrl-C: exit 130, batch terminated.
"$SALVO" run long.py 'x=[4,5]' -y -q > "$WORK/int.log" 2>&1 &
runner=$!
wait_for_running
kill -INT "$runner"
wait "$runner"; rc=$?
expect_code "Ctrl-C" 130 "$rc"
expect_eq "interrupted batch terminated" "terminated" "$(salvo select -o long.py+ --attr status)"
finish
