#!/usr/bin/env bash
# Batch behaviour: batch files, fail-fast and its restart, parallel trials, the source
# snapshot, flags in the environment, argparse scripts, operation files, objectives.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"
PY=${SALVO_PYTHON:-python3}

cat > echo.py <<'PY'
import os
x = 1
y = 2
print("cwd: %s" % os.getcwd())
print("env_x %s" % os.environ.get("FLAG_X"))
print("loss: %s" % (x + y))
PY

# Batch files: --save-trials then @file with a list crossed with every row.
out=$(salvo run echo.py --save-trials t.csv 'x=[1,2]' 2>&1); rc=$?
expect_code "save trials" 0 "$rc"
expect_eq "saved csv" "x,y
1,2
2,2" "$(cat t.csv)"
out=$(printf '\n' | salvo run echo.py @t.csv 'y=[3,4]' 2>&1); rc=$?
expect_code "batch file run" 0 "$rc"
expect_contains "batch file prompt names the trials" "$out" "as a batch (4 trials) (flags below used unless specified in batch trial)"
expect_contains "batch file prompt row order" "$out" "  1: x=1 y=3
  2: x=1 y=4
  3: x=2 y=3
  4: x=2 y=4"
expect_eq "batch file ran 4 trials" 4 "$(salvo runs --all | grep -c 'echo.py  ')"
printed=$(salvo run echo.py @t.csv 'y=[3,4]' --print-trials 2>&1)
expect_contains "print-trials matches what ran" "$printed" "4  2  4"
out=$(salvo run echo.py @nope.csv -y 2>&1); rc=$?
expect_code "missing batch file" 2 "$rc"
expect_contains "missing batch file message" "$out" "batch file nope.csv does not exist"
echo '[1, 2]' > bad.json
out=$(salvo run echo.py @bad.json -y 2>&1); rc=$?
expect_code "bad batch file" 2 "$rc"
expect_contains "bad batch file message" "$out" "invalid data type for trial 1"

# Run directory and flags in the environment.
salvo run echo.py x=5 -y -q >/dev/null 2>&1
id=$(salvo select)
log=$(salvo cat "$id")
expect_contains "trial runs in its run directory" "$log" "cwd: $SALVO_HOME/runs/$id"
expect_contains "flag in the environment" "$log" "env_x 5"

# A failing grid: the batch goes on by default, fail-fast leaves the rest pending, and a
# restart after the fix runs them.
cat > flaky.py <<'PY'
import sys
a = 1
b = 1
print("loss: %s" % (a * b))
if b % 2 == 0:
    sys.exit(1)
PY
out=$(salvo run flaky.py 'a=[1,2,3]' 'b=[1,2,3,4]' -y -q 2>&1); rc=$?
expect_code "failing trials do not fail the batch" 0 "$rc"
expect_eq "twelve trials" 12 "$(salvo runs --all | grep -c 'flaky.py  ')"
expect_eq "six errors" 6 "$(salvo runs --all | grep 'flaky.py  ' | grep -c ' error ')"
expect_contains "summary counts failures" "$out" "12 trial(s): 6 completed, 6 failed"

salvo runs rm -y $(salvo select --all -o flaky.py) $(salvo select --all -o flaky.py+) >/dev/null 2>&1
out=$(salvo run flaky.py 'a=[1]' 'b=[1,2,3,4,5,6]' --fail-on-trial-error -y -q 2>&1); rc=$?
expect_code "fail-fast exit" 1 "$rc"
runs=$(salvo runs --all)
expect_eq "fail-fast: one error" 1 "$(echo "$runs" | grep 'flaky.py  ' | grep -c ' error ')"
expect_eq "fail-fast: rest pending" 4 "$(echo "$runs" | grep 'flaky.py  ' | grep -c ' pending ')"
sed -i 's/sys.exit(1)/pass/' flaky.py
batch=$(salvo select -o flaky.py+)
out=$(salvo run --restart "$batch" --retry-failed --refresh-source -y -q 2>&1); rc=$?
expect_code "restart after the fix" 0 "$rc"
runs=$(salvo runs --all)
expect_eq "after restart all six completed" 6 "$(echo "$runs" | grep 'flaky.py  ' | grep -c ' completed ')"
expect_eq "no trial ran twice" 6 "$(echo "$runs" | grep -c 'flaky.py  ')"

# The snapshot: editing the script during a batch changes nothing already defined.
cat > slow.py <<'PY'
import time
x = 1
time.sleep(1.0)
print("version: 1")
print("loss: %s" % x)
PY
"$SALVO" run slow.py 'x=[1,2,3]' -y -q >/dev/null 2>&1 &
runner=$!
wait_for_running
sed -i 's/version: 1/version: 2/' slow.py
# Readers work while the batch runs, and a second writer is refused with the holder.
listing=$(salvo runs 2>&1); rc=$?
expect_code "runs during a batch" 0 "$rc"
expect_contains "runs shows the running trial" "$listing" "running"
out=$(salvo runs rm -y "$(salvo select)" 2>&1); rc=$?
expect_code "second writer refused" 2 "$rc"
expect_contains "second writer names the holder" "$out" "store in use by salvo run, pid $runner"
wait "$runner"
for id in $(salvo select --all -o slow.py); do
  expect_contains "snapshot kept for ${id:0:8}" "$(salvo cat "$id")" "version: 1"
done

# Parallel trials: -j 3 runs three at once.
cat > par.py <<'PY'
import time
x = 1
time.sleep(0.8)
print("loss: %s" % x)
PY
salvo run par.py 'x=[1,2,3,4,5,6]' -j 3 -y -q >/dev/null 2>&1
# The most trials whose [started, stopped] intervals overlap at one moment.
most=$(salvo runs --all --json -o par.py | "$PY" -c '
import json, sys
runs = [r for r in json.load(sys.stdin) if r["kind"] == "trial"]
print(max(sum(1 for o in runs if o["started_us"] <= r["started_us"] < o["stopped_us"])
          for r in runs))')
expect_eq "-j 3 runs three trials at once" 3 "$most"
expect_eq "parallel trials all completed" 6 "$(salvo runs --all | grep 'par.py  ' | grep -c completed)"

# argparse scripts get --name value arguments.
cat > args.py <<'PY'
import argparse
p = argparse.ArgumentParser()
p.add_argument("--lr", type=float, default=0.1)
p.add_argument("--layers", type=int, default=2)
a = p.parse_args()
print("loss: %s" % (a.lr * a.layers))
PY
out=$(printf '\n' | salvo run args.py lr=0.5 2>&1); rc=$?
expect_code "argparse script" 0 "$rc"
expect_contains "argparse defaults shown" "$out" "  layers: 2"
expect_contains "argparse value passed" "$out" "loss: 1.0"

# An operation file: exec with ${flag}, objective maximize, output-scalars pattern.
cat > salvo.yml <<'YML'
score-op:
  exec: "/bin/sh -c 'echo acc=${x}'"
  flags:
    x:
      default: 1
      min: 0
      max: 10
  objective:
    maximize: acc
  output-scalars:
    acc: 'acc=(\S+)'
YML
out=$(salvo run score-op x=7 -y 2>&1); rc=$?
expect_code "exec operation" 0 "$rc"
expect_contains "exec output" "$out" "acc=7"
out=$(salvo run score-op 'x=[2,9,4]' -y -q 2>&1)
best=$(salvo select --max acc --attr label 2>&1)
expect_eq "maximize objective picks the highest" "x=9" "$best"
out=$(printf '\n' | salvo run score-op -o random -m 2 --random-seed 1 2>&1)
expect_contains "op-file min/max become a search space" "$out" "  x: [0:10:1]"
expect_contains "op-file objective shown" "$out" "with random search (max 2 trials)"

# A home inside the script's folder is never copied into the snapshot.
mkdir -p "$WORK/inside" && cp echo.py "$WORK/inside/" && cd "$WORK/inside"
out=$(SALVO_HOME="$WORK/inside/store-home" "$SALVO" run echo.py 'x=[1,2]' -y -q 2>&1); rc=$?
expect_code "home inside the project" 0 "$rc"
batch=$(SALVO_HOME="$WORK/inside/store-home" "$SALVO" select -o echo.py+)
expect_eq "snapshot leaves the home out" "echo.py" \
  "$(ls "$WORK/inside/store-home/runs/$batch/sourcecode")"
expect_eq "store still readable" 3 "$(SALVO_HOME="$WORK/inside/store-home" "$SALVO" runs | wc -l | tr -d ' ')"

finish
