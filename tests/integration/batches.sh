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

# Objectives on the command line: -X/--maximize and -N/--minimize name the scalar in the
# prompt, and the batch's best is its largest or smallest value. A `loss` written to
# stderr is a scalar too.
mkdir -p "$WORK/more" && cd "$WORK/more"
cat > acc.py <<'PY'
import sys
x = 1
print("acc: %s" % (10 - (x - 3) ** 2))
sys.stderr.write("loss: %s\n" % (x * 0.5))
PY
# x in 1..5 and -m 5: every point runs, so the best is known: acc 10 at x=3, 6 at x=1, 5.
out=$(printf '\n' | salvo run acc.py 'x=[1:5]' -o gp -m 5 -X acc --random-seed 1 -q 2>&1); rc=$?
expect_code "-X on the command line" 0 "$rc"
expect_contains "-X names the objective in the prompt" "$out" \
  "You are about to run acc.py with 'gp' optimizer (max 5 trials, maximize acc)"
expect_match "-X: the batch's best is the largest acc" "$out" "best acc: 10\\.0 \\(trial [0-9a-f]{8}: x=3\\)"
expect_eq "-X is stored as maximize" "acc yes" \
  "$(salvo select -o acc.py+gp --attr objective) $(salvo select -o acc.py+gp --attr maximize)"
out=$(printf '\n' | salvo run acc.py 'x=[1:5]' -o gp -m 5 --minimize acc --random-seed 1 -q 2>&1); rc=$?
expect_code "--minimize on the command line" 0 "$rc"
expect_contains "--minimize names the objective in the prompt" "$out" \
  "You are about to run acc.py with 'gp' optimizer (max 5 trials, minimize acc)"
expect_match "--minimize: the batch's best is the smallest acc" "$out" "best acc: 6\\.0 \\(trial [0-9a-f]{8}: x=[15]\\)"
out=$(salvo run acc.py 'x=[1,2,3,4,5]' --maximize acc -y -q 2>&1)
expect_match "--maximize on a grid: best is the largest" "$out" "best acc: 10\\.0 \\(trial [0-9a-f]{8}: x=3\\)"
out=$(salvo run acc.py 'x=[4,2,5]' -N acc -y -q 2>&1)
expect_match "-N on a grid: best is the smallest" "$out" "best acc: 6\\.0 \\(trial [0-9a-f]{8}: x=5\\)"
expect_contains "loss written to stderr is a scalar" \
  "$(salvo runs info "$(salvo select -o acc.py -Fl x=4)")" "loss: 2.0"
expect_eq "every trial's stderr loss is in compare (loss = x / 2)" "18 of 18" \
  "$(salvo compare -o acc.py --csv - | "$PY" -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
ok = [r for r in rows if r["loss"] and float(r["loss"]) == float(r["x"]) / 2]
print("%d of %d" % (len(ok), len(rows)))')"

# --print-trials shows the trials and creates no run.
before=$(salvo runs --all | wc -l | tr -d ' ')
out=$(salvo run acc.py 'x=[1,2]' --print-trials 2>&1); rc=$?
expect_code "print-trials" 0 "$rc"
expect_eq "print-trials prints the table" "#  x
1  1
2  2" "$out"
salvo run acc.py 'x=[1:5]' -o gp -m 3 --print-trials >/dev/null 2>&1
expect_eq "print-trials creates no run" "$before" "$(salvo runs --all | wc -l | tr -d ' ')"

# compare --table works while a batch runs and shows the running trial.
cat > gate.py <<'PY'
import os, time
x = 1
print("loss: %s" % x, flush=True)
for _ in range(200):
    if os.path.exists(os.environ["GATE"]):
        break
    time.sleep(0.05)
PY
GATE="$WORK/gate" "$SALVO" run gate.py 'x=[7,8]' -y -q >/dev/null 2>&1 &
runner=$!
wait_for_running
table=$(salvo compare --table 2>&1); rc=$?
expect_code "compare --table during a batch" 0 "$rc"
expect_match "compare --table shows the running trial" "$table" \
  $'\n[0-9a-f]{8}  gate\\.py +[0-9-]+ [0-9:]+ +[0-9:]+ +running +x=7 '
expect_match "compare --table shows the pending trial" "$table" \
  $'\n[0-9a-f]{8}  gate\\.py +pending +x=8 '
touch "$WORK/gate"
wait "$runner"; rc=$?
expect_code "the gated batch completes" 0 "$rc"

# Guild's two-letter options: -Fo is an optimizer flag in `run` and the operation filter
# elsewhere, -S with status letters filters by status, -Fl by label, -cc picks columns.
out=$(printf '\n' | salvo run acc.py 'x=[1:5]' -o gp -Fo random-starts=5 -m 2 -q 2>&1)
expect_contains "run -Fo sets an optimizer flag (prompt)" "$out" "  random-starts: 5"
expect_contains "run -Fo sets an optimizer flag (batch)" \
  "$(salvo select -o acc.py+gp --attr optimizer_flags)" "random-starts=5"
gp_batches=$(salvo runs --all -Fo acc.py+gp)
expect_eq "runs -Fo OP lists that operation's runs" 3 "$(echo "$gp_batches" | wc -l | tr -d ' ')"
expect_eq "runs -Fo OP lists nothing else" 3 "$(echo "$gp_batches" | grep -c '  acc\.py+gp  ')"
expect_eq "select -Fo OP picks the newest run of OP" "$(salvo select -o acc.py+gp)" "$(salvo select -Fo acc.py+gp)"
expect_eq "select -Fo OP picks a run of OP" "acc.py+gp" "$(salvo select -Fo acc.py+gp --attr operation)"
cat > fl.py <<'PY'
import sys
x = 1
print("loss: %s" % x)
sys.exit(1 if x == 2 else 0)
PY
salvo run fl.py 'x=[1,2,3]' -y -q >/dev/null 2>&1
expect_eq "runs -Sc: only completed" "completed completed" \
  "$(salvo runs -Sc -Fo fl.py | awk '{print $5}' | paste -sd ' ')"
expect_eq "runs -Se: only errors" "error x=2" "$(salvo runs -Se -Fo fl.py | awk '{print $5, $6}')"
expect_eq "runs -Sec: errors and completed" "completed error completed" \
  "$(salvo runs -Sec -Fo fl.py | awk '{print $5}' | paste -sd ' ')"
expect_eq "runs -Fl: label filter" "x=2" "$(salvo runs -Fl x=2 -Fo fl.py | awk '{print $NF}')"
expect_match "compare -cc shows only those columns" \
  "$(salvo compare -t -cc x,acc -Fo acc.py | head -1)" '^run +operation +started +time +status +label +x +acc$'
expect_match "compare -cc keeps the values" \
  "$(salvo compare -t -cc x,acc -Fo acc.py -Fl x=3 | sed -n 2p)" ' x=3 +3 +10\.0$'
out=$(salvo run fl.py 'x=[4]' -bl mybatch -y -q 2>&1); rc=$?
expect_code "run -bl LABEL" 0 "$rc"
expect_eq "run -bl labels the batch" "mybatch" "$(salvo select -o fl.py+ --attr label)"

# A restart runs the batch's snapshot, not the edited script; --refresh-source takes the
# edited one.
cat > ver.py <<'PY'
x = 1
print("version: 1")
print("loss: %s" % x)
PY
salvo run ver.py 'x=[1:100]' -o random -m 1 -y -q >/dev/null 2>&1
batch=$(salvo select -o ver.py+random)
sed -i 's/version: 1/version: 2/' ver.py
out=$(salvo run --restart "$batch" -m 1 -y 2>&1); rc=$?
expect_code "restart after an edit" 0 "$rc"
expect_contains "restart runs the old snapshot" "$(salvo cat "$(salvo select -o ver.py)")" "version: 1"
out=$(salvo run --restart "$batch" -m 1 --refresh-source -y 2>&1); rc=$?
expect_code "restart with --refresh-source" 0 "$rc"
expect_contains "--refresh-source runs the edited script" "$(salvo cat "$(salvo select -o ver.py)")" "version: 2"
expect_eq "the batch has three trials" 3 "$(count_op ver.py)"

# Snapshot rules a user sets: sourcecode exclude and max-file-size leave files out, and
# the size limit says so; without an operation file, files over 1 MiB are left out.
mkdir -p "$WORK/snap" && cd "$WORK/snap"
cat > snapmain.py <<'PY'
x = 1
print("loss: %s" % x)
PY
cat > salvo.yml <<'YML'
snap:
  main: snapmain
  sourcecode:
    exclude: ["*.dat"]
    max-file-size: 1000
YML
echo small > keep.txt
head -c 2000 /dev/zero > big.txt
echo skipped > skip.dat
out=$(salvo run snap 'x=[1,2]' -y -q 2>&1); rc=$?
expect_code "batch with snapshot rules" 0 "$rc"
expect_contains "the size limit says what it left out" "$out" \
  "1 source file(s) over 1000 bytes left out of the snapshot"
batch=$(salvo select -o snap+)
expect_eq "excluded and too-big files are not in the snapshot" "keep.txt salvo.yml snapmain.py" \
  "$(ls "$SALVO_HOME/runs/$batch/sourcecode" | paste -sd ' ')"
rm salvo.yml big.txt skip.dat
head -c 1100000 /dev/zero > huge.bin
out=$(salvo run snapmain.py 'x=[1]' -y -q 2>&1)
expect_contains "the default size limit says what it left out" "$out" \
  "1 source file(s) over 1048576 bytes left out of the snapshot"
expect_eq "a file over 1 MiB is not in the snapshot" "keep.txt snapmain.py" \
  "$(ls "$SALVO_HOME/runs/$(salvo select -o snapmain.py+)/sourcecode" | paste -sd ' ')"

# A module-level empty list is an accumulator, not a flag: the script runs as one run.
mkdir -p "$WORK/accum" && cd "$WORK/accum"
printf 'x = 2\nhistory = []\nhistory.append(x)\nprint("loss: %%s" %% history[0])\n' > accum.py
out=$(salvo run accum.py -y 2>&1); rc=$?
expect_code "a script with history = [] runs" 0 "$rc"
expect_contains "as a single run with its real flag" "$out" "loss: 2"
expect_not_contains "history is not a flag" "$(salvo runs info "$(salvo select -o accum.py)")" "history"

finish
