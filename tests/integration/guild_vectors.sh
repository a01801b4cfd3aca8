#!/usr/bin/env bash
# Guild's batch test vectors (reference §8, rows 56 and 60-75), value for value: which
# trials a batch has (--print-trials, prompts) and what running it does (small real
# batches). Where Salvo differs from Guild by decision, the check asserts Salvo's
# documented behaviour and the comment names the row.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"
PY=${SALVO_PYTHON:-python3}

cat > say.py <<'PY'
msg = "hello"
loud = False
print(msg.upper() if loud else msg)
PY
cat > xyz.py <<'PY'
x = 0
y = 0
z = 0
print("loss: %s" % (x + y + z))
PY

# The rows of a --print-trials table without the header and the `#` column.
rows() { tail -n +2 | awk '{$1 = ""; sub(/^ /, ""); print}'; }

# "name=value ..." of each trial of batch $1, in trial order.
trial_flags() {
  salvo runs --all --json | "$PY" -c '
import json, sys
def plain(v):
    if isinstance(v, bool):
        return "yes" if v else "no"
    return v.get("f", v.get("i", v.get("s"))) if isinstance(v, dict) else v
runs = [r for r in json.load(sys.stdin) if r["kind"] == "trial" and r["batch_id"] == sys.argv[1]]
runs.sort(key=lambda r: r["trial_index"])
for r in runs:
    print(" ".join("%s=%s" % (k, plain(v)) for k, v in sorted(r["flags"].items())))' "$1"
}

# §8 row 56: msg=[hi] is a batch (say.py+) of one trial.
out=$(printf '\n' | salvo run say.py 'msg=[hi]' 2>&1); rc=$?
expect_code "row 56: a one-item list runs" 0 "$rc"
expect_contains "row 56: a one-item list is a batch of 1 trial" "$out" \
  "You are about to run say.py as a batch (1 trial)"
expect_contains "row 56: the trial ran with msg=hi" "$out" "
hi
"
expect_eq "row 56: one say.py+ batch" 1 "$(count_op say.py+)"
expect_eq "row 56: one say.py trial" "loud=no msg=hi" "$(trial_flags "$(salvo select -o say.py+)")"

# §8 row 60: a 3x3x3 grid is 27 trials; a grid has no default cap.
grid3='x=[1,2,3] y=[1,2,3] z=[1,2,3]'
printed=$(salvo run xyz.py $grid3 --print-trials 2>&1)
expect_eq "row 60: 27 trials printed" 27 "$(echo "$printed" | rows | wc -l | tr -d ' ')"
expect_eq "row 60: the last name varies fastest" "1 1 1|1 1 2|1 1 3|1 2 1" \
  "$(echo "$printed" | rows | head -4 | paste -sd '|')"
expect_eq "row 60: the last trial" "3 3 3" "$(echo "$printed" | rows | tail -1)"
out=$(printf 'n\n' | salvo run xyz.py $grid3 2>&1)
expect_contains "row 60: the prompt says 27 trials" "$out" "as a batch (27 trials)"
out=$(salvo run xyz.py $grid3 -j 3 -y -q 2>&1); rc=$?
expect_code "row 60: the grid runs" 0 "$rc"
expect_eq "row 60: 27 trials ran, no cap" 27 "$(count_op xyz.py)"
expect_eq "row 60: 27 distinct points" 27 \
  "$(trial_flags "$(salvo select -o xyz.py+)" | sort -u | wc -l | tr -d ' ')"
salvo runs rm -y $(salvo select --all -o xyz.py) $(salvo select --all -o xyz.py+) >/dev/null 2>&1

# §8 row 61: -m 2 on an 8-point grid: 2 trials, a random subset in grid order, the same
# subset for the same seed.
grid2='x=[1,2] y=[3,4] z=[5,6]'
full=$(salvo run xyz.py $grid2 --print-trials 2>&1 | rows)
expect_eq "row 61: the full grid has 8 points" 8 "$(echo "$full" | wc -l | tr -d ' ')"
in_grid_order() {  # SUBSET-ROWS: yes when each row is a grid point, in grid order
  local last=0 n
  while read -r row; do
    n=$(echo "$full" | grep -nxF "$row" | cut -d: -f1)
    [ -n "$n" ] && [ "$n" -gt "$last" ] || { echo no; return; }
    last=$n
  done <<< "$1"
  echo yes
}
sub1=$(salvo run xyz.py $grid2 -m 2 --random-seed 1 --print-trials 2>&1 | rows)
expect_eq "row 61: -m 2 gives 2 trials" 2 "$(echo "$sub1" | wc -l | tr -d ' ')"
expect_eq "row 61: grid points in grid order" yes "$(in_grid_order "$sub1")"
expect_eq "row 61: the same seed gives the same subset" "$sub1" \
  "$(salvo run xyz.py $grid2 -m 2 --random-seed 1 --print-trials 2>&1 | rows)"
subsets=$(for s in 1 2 3 4 5 6; do
  salvo run xyz.py $grid2 -m 2 --random-seed $s --print-trials 2>&1 | rows | paste -sd '|'
done | sort -u | wc -l | tr -d ' ')
if [ "$subsets" -ge 2 ]; then pass "row 61: the subset is random ($subsets subsets from 6 seeds)"
else fail "row 61: six seeds all picked the same subset"; fi
ordered=0
for s in 2 3 4 5 6; do
  sub=$(salvo run xyz.py $grid2 -m 2 --random-seed $s --print-trials 2>&1 | rows)
  [ "$(echo "$sub" | wc -l)" -eq 2 ] && [ "$(in_grid_order "$sub")" == yes ] && ordered=$((ordered + 1))
done
expect_eq "row 61: seeds 2-6 also give 2 grid points in grid order" 5 "$ordered"
out=$(printf 'n\n' | salvo run xyz.py $grid2 -m 2 2>&1)
expect_contains "row 61: the prompt says 2 trials" "$out" "as a batch (2 trials)"
salvo run xyz.py $grid2 -m 2 --random-seed 1 -y -q >/dev/null 2>&1
expect_eq "row 61: the run has the printed trials" \
  "$(echo "$sub1" | awk '{print "x=" $1 " y=" $2 " z=" $3}')" \
  "$(trial_flags "$(salvo select -o xyz.py+)")"

# §8 row 62: range[1:30] is 30 trials, x=1..30.
printed=$(salvo run xyz.py 'x=range[1:30]' --print-trials 2>&1 | rows)
expect_eq "row 62: x=1..30" "$(seq 1 30 | paste -sd ' ')" \
  "$(echo "$printed" | awk '{print $1}' | paste -sd ' ')"
out=$(printf 'n\n' | salvo run xyz.py 'x=range[1:30]' 2>&1)
expect_contains "row 62: the prompt says 30 trials" "$out" "as a batch (30 trials)"

# §8 row 63: a range among lists implies random search, 20 trials by default, and the
# lists are sampled, not crossed. Salvo's prompt says "max 20 trials" (decisions §5).
mixed='x=[1:1000] y=[1,2] z=[3,4]'
out=$(printf 'n\n' | salvo run xyz.py $mixed 2>&1)
expect_contains "row 63: a range implies random search with 20 trials" "$out" \
  "You are about to run xyz.py with random search (max 20 trials)"
printed=$(salvo run xyz.py $mixed --random-seed 5 --print-trials 2>&1 | rows)
expect_eq "row 63: 20 trials" 20 "$(echo "$printed" | wc -l | tr -d ' ')"
expect_eq "row 63: x is an int in 1..1000, y in {1,2}, z in {3,4}" 20 \
  "$(echo "$printed" | awk '$1 ~ /^[0-9]+$/ && $1 >= 1 && $1 <= 1000 && ($2 == 1 || $2 == 2) && ($3 == 3 || $3 == 4)' | wc -l | tr -d ' ')"
expect_eq "row 63: y and z are random picks (all four pairs drawn)" 4 \
  "$(echo "$printed" | awk '{print $2, $3}' | sort -u | wc -l | tr -d ' ')"
expect_not_contains "row 63: not a grid (pairs not in grid order)" \
  "$(echo "$printed" | head -4 | awk '{print $2 $3}' | paste -sd ' ')" "13 14 23 24"

# §8 row 64: the same with -o +: the lists make a 4-trial grid, x is drawn per trial.
printed=$(salvo run xyz.py $mixed -o + --random-seed 5 --print-trials 2>&1 | rows)
expect_eq "row 64: -o + gives 4 trials, y and z as a grid" "1 3|1 4|2 3|2 4" \
  "$(echo "$printed" | awk '{print $2, $3}' | paste -sd '|')"
expect_eq "row 64: x drawn per trial from 1..1000" 4 \
  "$(echo "$printed" | awk '$1 ~ /^[0-9]+$/ && $1 >= 1 && $1 <= 1000 {print $1}' | sort -u | wc -l | tr -d ' ')"
out=$(printf 'n\n' | salvo run xyz.py $mixed -o + 2>&1)
expect_contains "row 64: the prompt says 4 trials" "$out" "You are about to run xyz.py as a batch (4 trials)"
salvo runs rm -y $(salvo select --all -o xyz.py) $(salvo select --all -o xyz.py+) >/dev/null 2>&1
out=$(salvo run xyz.py $mixed -o + --random-seed 5 -y -q 2>&1); rc=$?
expect_code "row 64: -o + runs" 0 "$rc"
expect_eq "row 64: 4 trials ran, as printed" \
  "$(echo "$printed" | awk '{print "x=" $1 " y=" $2 " z=" $3}')" \
  "$(trial_flags "$(salvo select -o xyz.py+)")"

# §8 row 65: a 3-row batch file crossed with z=[10,11]: 6 trials, file row outer.
printf 'x,y\n1,2\n3,4\n5,6\n' > batch-2.csv
out=$(salvo run xyz.py @batch-2.csv 'z=[10,11]' --print-trials 2>&1); rc=$?
expect_code "row 65: print trials of a batch file" 0 "$rc"
expect_eq "row 65: file row outer, z inner" "#  x  y  z
1  1  2  10
2  1  2  11
3  3  4  10
4  3  4  11
5  5  6  10
6  5  6  11" "$out"

# §8 row 66: the prompt of a batch file crossed with a list.
printf 'x\n1\n2\n3\n' > trials-1.csv
out=$(printf 'n\n' | salvo run xyz.py @trials-1.csv 'y=[4,5]' 2>&1)
expect_contains "row 66: batch file prompt" "$out" \
  "You are about to run xyz.py as a batch (6 trials) (flags below used unless specified in batch trial)"

# §8 row 67: --max-trials above the grid size: the prompt shows the grid size.
out=$(printf 'n\n' | salvo run xyz.py 'x=[1,2]' 'y=[2,3]' --max-trials 5 2>&1)
expect_contains "row 67: prompt shows min(grid, max)" "$out" "as a batch (4 trials)"
expect_eq "row 67: 4 trials printed" 4 \
  "$(salvo run xyz.py 'x=[1,2]' 'y=[2,3]' --max-trials 5 --print-trials 2>&1 | rows | wc -l | tr -d ' ')"

# §8 row 68: -o gp with no range or list is bad input.
runs_before=$(salvo runs --all | wc -l | tr -d ' ')
out=$(salvo run xyz.py x=1 -o gp -y 2>&1); rc=$?
expect_code "row 68: gp without search dimensions" 2 "$rc"
expect_eq "row 68: the message names the flags" \
  "salvo: error: flags for batch (x=1 y=0 z=0) do not contain any search dimensions
Try specifying a range for one or more flags as NAME=[MIN:MAX]." "$out"
expect_eq "row 68: nothing was created" "$runs_before" "$(salvo runs --all | wc -l | tr -d ' ')"

# §8 row 69: gp over i=[3] with -m 2. Salvo (decisions §7): one trial, then the batch
# ends because the space is exhausted.
cat > i.py <<'PY'
i = 0
print("loss: %s" % i)
PY
out=$(salvo run i.py 'i=[3]' -o gp -m 2 -y 2>&1); rc=$?
expect_code "row 69: a one-category gp space is valid" 0 "$rc"
expect_eq "row 69: one trial, i=3" "i=3" "$(trial_flags "$(salvo select -o i.py+gp)")"
expect_contains "row 69: the batch ends exhausted" "$out" "search space exhausted after 1 distinct points"

# §8 row 70: -X foo -m10 -o gbrt: the prompt names the objective; Salvo stores it as
# objective foo with maximize yes (Guild: the attr `-foo`), and the best is the largest.
cat > foo.py <<'PY'
x = 0.0
print("foo: %s" % (-(x - 1.5) ** 2))
PY
out=$(printf 'n\n' | salvo run foo.py 'x=[-2.0:2.0]' -X foo -m10 -o gbrt 2>&1)
expect_contains "row 70: prompt says maximize foo" "$out" \
  "You are about to run foo.py with 'gbrt' optimizer (max 10 trials, maximize foo)"
out=$(salvo run foo.py 'x=[-2.0:2.0]' -X foo -m 4 -o gbrt --random-seed 2 -y -q 2>&1); rc=$?
expect_code "row 70: gbrt maximizing foo" 0 "$rc"
batch=$(salvo select -o foo.py+gbrt)
expect_eq "row 70: objective foo" foo "$(salvo select "$batch" --attr objective)"
expect_eq "row 70: maximized" yes "$(salvo select "$batch" --attr maximize)"
best=$(salvo compare -o foo.py --csv - 2>/dev/null | "$PY" -c '
import csv, sys
r = max(csv.DictReader(sys.stdin), key=lambda r: float(r["foo"]))
print("best foo: %s (trial %s:" % (r["foo"], r["run"]))')
expect_contains "row 70: the batch's best is the largest foo" "$out" "$best"

# §8 row 71: an objective no trial reports, 2 random starts, 4 trials: every trial is
# told about, and no trial can be model-guided.
out=$(salvo run xyz.py 'x=[1.0:2.0]' --minimize no_such_scalar -o gp -Fo random-starts=2 \
  -m 4 --random-seed 3 -y -q 2>&1); rc=$?
expect_code "row 71: a missing objective below the limit" 0 "$rc"
expect_eq "row 71: each trial says it has no objective" 4 \
  "$(echo "$out" | grep -c "^warning: Trial [0-9a-f]\{8\} completed without objective 'no_such_scalar'")"
expect_contains "row 71: trials 3 and 4 are random too" "$out" "4 random / 0 guided"
expect_contains "row 71: no usable observation" "$out" "0 usable observations of 'no_such_scalar'"

# §8 row 72: history x=-1,0,1 with y=x over [-2.0, 2.0]: the next gp suggestion is -2.0.
# Guild's row uses skopt's gp_hedge draw at seed 66, which is skopt's random stream;
# Salvo's own gp matches it with the acquisitions that draw nothing (EI, LCB).
cat > lin.py <<'PY'
x = 0.0
print("loss: %s" % x)
PY
for acq in EI LCB; do
  salvo run lin.py 'x=[-1:1]' -o gp -m 3 --random-seed 66 -y -q >/dev/null 2>&1
  batch=$(salvo select -o lin.py+gp)
  expect_eq "row 72 ($acq): history is x=-1,0,1" "x=-1 x=0 x=1" \
    "$(trial_flags "$batch" | sort -n -t= -k2 | paste -sd ' ')"
  out=$(salvo run --restart "$batch" 'x=[-2.0:2.0]' -Fo random-starts=0 -Fo acq-func=$acq \
    -m 1 -y -q 2>&1)
  expect_contains "row 72 ($acq): the history is loaded" "$out" "Loaded 3 previous trial(s)"
  expect_eq "row 72 ($acq): next suggestion is -2.0" "x=-2.0" "$(trial_flags "$batch" | tail -1)"
  salvo runs rm -y "$batch" $(salvo select --all -o lin.py) >/dev/null 2>&1
done

# §8 row 73: --random-seed 1: the batch's seed is 1. Salvo gives each trial its own seed
# derived from the batch seed (decisions §2), so the trials are reproducible.
cat > seed.py <<'PY'
import os
x = 1
print("trial_seed: %s" % os.environ.get("SALVO_TRIAL_SEED"))
PY
seeds() { salvo run seed.py 'x=[1,2]' "$@" -y 2>&1 | grep '^trial_seed:' | paste -sd ' '; }
first=$(seeds --random-seed 1)
expect_eq "row 73: batch seed 1" 1 "$(salvo select -o seed.py+ --attr seed)"
expect_match "row 73: each trial gets a seed" "$first" '^trial_seed: [0-9]+ trial_seed: [0-9]+$'
expect_eq "row 73: the same batch seed gives the same trial seeds" "$first" "$(seeds --random-seed 1)"
t1=$(echo "$first" | awk '{print $2}'); t2=$(echo "$first" | awk '{print $4}')
if [ "$t1" != "$t2" ]; then pass "row 73: trials of a batch have their own seeds (decisions §2)"
else fail "row 73: both trials got seed $t1"; fi

# §8 row 74: Salvo (decisions §7): --random-seed 0 is the seed 0, not "no seed".
zero=$(salvo run xyz.py 'x=[-2.0:2.0]' -m 3 --random-seed 0 --print-trials 2>&1)
expect_eq "row 74: seed 0 is reproducible" "$zero" \
  "$(salvo run xyz.py 'x=[-2.0:2.0]' -m 3 --random-seed 0 --print-trials 2>&1)"
unseeded=$(salvo run xyz.py 'x=[-2.0:2.0]' -m 3 --print-trials 2>&1)
expect_not_contains "row 74: without a seed the draws differ" "$zero" "$(echo "$unseeded" | rows | head -1)"
seeds --random-seed 0 >/dev/null
expect_eq "row 74: the batch records seed 0" 0 "$(salvo select -o seed.py+ --attr seed)"

# §8 row 75: restarting a finished x=[1.0,2.0] y=[2,3] grid with x=[4.0] adds 2 trials
# (x=4.0 with y=2 and y=3) and runs none of the old ones again.
cat > echo.py <<'PY'
x = 1.0
y = 2
z = "a"
print(x, y, repr(z))
PY
salvo run echo.py 'x=[1.0,2.0]' 'y=[2,3]' -y -q >/dev/null 2>&1
batch=$(salvo select -o echo.py+)
old=$(salvo select --all -o echo.py | sort)
out=$(salvo run --restart "$batch" 'x=[4.0]' -y 2>&1); rc=$?
expect_code "row 75: restart of a grid with a new value" 0 "$rc"
expect_eq "row 75: two new trials, x=4.0 with y=2 and y=3" \
  "x=1.0 y=2 z=a|x=1.0 y=3 z=a|x=2.0 y=2 z=a|x=2.0 y=3 z=a|x=4.0 y=2 z=a|x=4.0 y=3 z=a" \
  "$(trial_flags "$batch" | paste -sd '|')"
expect_contains "row 75: the new trials ran" "$out" "4.0 3 'a'"
expect_eq "row 75: only the two new trials ran" 2 "$(echo "$out" | grep -c '^info: Running trial')"
expect_eq "row 75: the old trials are kept" 4 \
  "$(comm -12 <(echo "$old") <(salvo select --all -o echo.py | sort) | wc -l | tr -d ' ')"
expect_eq "row 75: six echo.py trials" 6 "$(count_op echo.py)"
finish
