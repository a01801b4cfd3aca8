#!/usr/bin/env bash
# Every command of the hyperparameter-optimization walkthrough, in order, with salvo.
source "$(dirname "$0")/lib.sh"
cd "$SRC"

# Manual search: three trials, and the prompt the walkthrough shows.
out=$(printf '\n' | salvo run examples/train.py 'x=[-1,0,1]' --random-seed 7 2>&1); rc=$?
expect_code "list batch" 0 "$rc"
expect_contains "list batch prompt" "$out" "You are about to run train.py as a batch (3 trials)
  noise: 0.1
  x: [-1, 0, 1]
Continue? (Y/n)"
runs=$(salvo runs)
expect_eq "runs after list batch" 4 "$(echo "$runs" | wc -l | tr -d ' ')"
expect_match "runs first row is the last trial" "$(echo "$runs" | head -1)" \
  '^\[1:[0-9a-f]{8}\]  train\.py +[0-9-]+ [0-9:]+  completed  noise=0\.1 x=1$'
expect_match "runs batch row" "$(echo "$runs" | sed -n 4p)" '^\[4:[0-9a-f]{8}\]  train\.py\+ +[0-9-]+ [0-9:]+  completed *$'

out=$(salvo compare --min loss 2>&1); rc=$?
expect_code "compare --min loss" 0 "$rc"
expect_match "compare header" "$(echo "$out" | head -1)" '^run +operation +started +time +status +label +noise +x +step +loss$'
# sin(5x)(1 - tanh(x^2)) is about -0.23, 0 and 0.23 at x = 1, 0, -1 (noise 0.1, seed 7).
expect_eq "compare --min loss orders x=1, x=0, x=-1" "1 0 -1 " \
  "$(echo "$out" | awk 'NR > 1 {print $(NF-2)}' | tr '\n' ' ')"

# A four-trial grid; x=-0.5 must be at the top of the table.
out=$(printf '\n' | salvo run examples/train.py 'x=[-0.5,0.5]' 'noise=[0.1,0.2]' --random-seed 3 2>&1)
expect_contains "grid prompt" "$out" "You are about to run train.py as a batch (4 trials)
  noise: [0.1, 0.2]
  x: [-0.5, 0.5]"
out=$(salvo compare --table --min loss --top 3 2>&1); rc=$?
expect_code "compare --table --min loss --top 3" 0 "$rc"
expect_eq "compare --top 3 shows 3 rows" 4 "$(echo "$out" | wc -l | tr -d ' ')"
expect_match "compare header names the flag and loss columns" "$(echo "$out" | head -1)" \
  '^run +operation +started +time +status +label +noise +x +step +loss$'
expect_match "x=-0.5 is at the top of the table" "$(echo "$out" | sed -n 2p)" \
  '^[0-9a-f]{8}  train\.py .* noise=0\.[12] x=-0\.5 '
losses=$(echo "$out" | tail -n 3 | awk '{print $NF}' | tr '\n' ' ')
sorted=$(echo "$losses" | tr ' ' '\n' | grep . | sort -g | tr '\n' ' ')
expect_eq "--min loss orders the rows by loss" "$sorted" "$losses"

# Grid search with linspace.
out=$(printf 'y\n' | salvo run examples/train.py 'x=linspace[-0.6:0.6:4]' 2>&1)
expect_contains "linspace expands" "$out" "  x: [-0.6, -0.2, 0.2, 0.6]"
expect_eq "linspace batch has 4 trials" 4 "$(salvo runs --all | grep -c 'x=-0.6\|x=-0.2\|x=0.2\|x=0.6' )"

# Random search, 5 trials.
out=$(printf '\n' | salvo run examples/train.py 'x=[-2.0:2.0]' --max-trials 5 2>&1)
expect_contains "random prompt" "$out" "You are about to run train.py with random search (max 5 trials)
  noise: 0.1
  x: [-2.0:2.0]"
expect_eq "random batch listed" 1 "$(count_op train.py+random)"

# Bayesian optimization with gp, then a restart with random-starts=0.
out=$(printf '\n' | salvo run examples/train.py 'x=[-2.0:2.0]' --optimizer gp --max-trials 10 --random-seed 11 2>&1); rc=$?
expect_code "gp batch" 0 "$rc"
expect_contains "gp prompt" "$out" "You are about to run train.py with 'gp' optimizer (max 10 trials, minimize loss)
  noise: 0.1
  x: [-2.0:2.0]
Optimizer flags:
  acq-func: gp_hedge
  kappa: 1.96
  noise: gaussian
  random-starts: 3
  xi: 0.05"
expect_contains "gp summary" "$out" "3 random / 7 guided"
# The first gp batch alone: its best trial is near x = -0.3, and its model-guided trials go
# there more often than chance (uniform draws put 7 * 0.6/4 = 1.05 of 7 within 0.3 of it).
first=$(salvo compare :10 --operation train.py --csv - | "${PYTHON:-python3}" -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))[::-1]   # oldest first
best = min(rows, key=lambda r: float(r["loss"]))
guided = rows[3:]                              # after the 3 random starts
near = sum(1 for r in guided if abs(float(r["x"]) + 0.28922) <= 0.3)
print(int(abs(float(best["x"]) + 0.28922) <= 0.15), near)
')
expect_eq "first gp batch: best trial within 0.15 of the minimum" 1 "${first% *}"
if [ "${first#* }" -ge 2 ]; then pass "first gp batch: ${first#* } of 7 guided trials within 0.3 of the minimum"; else fail "first gp batch: only ${first#* } of 7 guided trials within 0.3 of the minimum"; fi
batch=$(salvo select -o train.py+gp)
expect_match "select prints a full id" "$batch" '^[0-9a-f]{32}$'
short=$(salvo select -o train.py+gp --short-id)
expect_eq "select --short-id" "${batch:0:8}" "$short"

out=$(printf '\n' | salvo run -Fo random-starts=0 --restart "${batch:0:6}" 2>&1); rc=$?
expect_code "restart" 0 "$rc"
expect_contains "restart prompt" "$out" "You are about to start $batch (train.py) with 'gp' optimizer (max 10 trials"
expect_contains "restart optimizer flag" "$out" "  random-starts: 0"
expect_contains "restart loads history" "$out" "Loaded 10 previous trial(s) for the optimizer"
expect_contains "restart adds guided trials" "$out" "3 random / 17 guided"
info=$(salvo runs info "$batch")
expect_contains "runs info counts starts" "$info" "3 random / 17 guided"

# The search found the minimum near x = -0.3, and some model-guided trials went there.
csv=$(salvo compare :20 --operation train.py --csv -)
summary=$(echo "$csv" | "${PYTHON:-python3}" -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
best = min(rows, key=lambda r: float(r["loss"]))
near = sum(1 for r in rows[:10] if -0.4 <= float(r["x"]) <= -0.2)
print("%d %d" % (-0.45 <= float(best["x"]) <= -0.15, near))
')
expect_eq "best of the gp batch lies near -0.3" 1 "${summary% *}"
# The walkthrough's cluster "between -0.4 and -0.2": uniform draws would put 0.5 of 10 there.
if [ "${summary#* }" -ge 4 ]; then pass "restart trials cluster in [-0.4, -0.2] (${summary#* } of 10)"; else fail "only ${summary#* } of the last 10 trials are within [-0.4, -0.2]"; fi

out=$(salvo compare :20 --table 2>&1); rc=$?
expect_code "compare :20" 0 "$rc"
expect_eq "compare :20 shows 20 rows" 21 "$(echo "$out" | wc -l | tr -d ' ')"

finish
