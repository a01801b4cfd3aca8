#!/usr/bin/env bash
# The digits example (examples/digits): its operation file's search space (a log-scaled
# float and a choice flag) is shown before the batch, and a small gp batch runs with the
# interpreter the file names (/usr/bin/python3, for Debian's scikit-learn) and records
# val_loss.
source "$(dirname "$0")/lib.sh"
cd "$SRC/examples/digits"
PY=${SALVO_PYTHON:-python3}

# --print-trials: the first trial starts at the defaults, the second is a random start
# inside the ranges and among the choices.
printed=$(salvo run train -o gp -m 2 --random-seed 4 --print-trials 2>&1); rc=$?
expect_code "digits print-trials" 0 "$rc"
expect_match "print-trials columns" "$(echo "$printed" | head -1)" '^# +C +gamma +kernel$'
expect_match "first trial at the defaults" "$(echo "$printed" | sed -n 2p)" '^1 +1\.0 +0\.01 +(rbf|poly|sigmoid)$'
expect_eq "second trial in the log range and among the choices" yes \
  "$(echo "$printed" | awk 'NR == 3 {
     ok = $2 >= 0.001 && $2 <= 1000 && $3 >= 0.0001 && $3 <= 10 && $4 ~ /^(rbf|poly|sigmoid)$/
     print ok ? "yes" : "no: " $0 }')"
expect_contains "print-trials says later trials depend on results" "$printed" \
  "(the first 2 trial(s) are random starts; later trials depend on their results)"

# The prompt, then the batch. SALVO_PYTHON points nowhere useful: the operation file's
# `python` must win, or inspecting and running train.py fails.
out=$(printf '\n' | SALVO_PYTHON=/bin/false "$SALVO" run train -o gp -m 2 --random-seed 4 2>&1); rc=$?
expect_code "digits gp batch" 0 "$rc"
expect_contains "prompt names the objective from the operation file" "$out" \
  "You are about to run train with 'gp' optimizer (max 2 trials, minimize val_loss)"
expect_contains "prompt shows the log-scaled float" "$out" "  C: loguniform[0.001:1000.0:1.0]"
expect_contains "prompt shows the second log-scaled float" "$out" "  gamma: loguniform[0.0001:10.0:0.01]"
expect_contains "prompt shows the choice flag" "$out" "  kernel: [rbf, poly, sigmoid]"
expect_contains "both trials completed" "$out" "2 trial(s): 2 completed, 0 failed"
expect_match "the batch reports the best val_loss" "$out" "best val_loss: 0\\.[0-9]+ \\(trial [0-9a-f]{8}: C="

batch=$(salvo select -o train+gp)
ran=$(salvo compare -o train --csv - 2>/dev/null | "$PY" -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
good = [r for r in rows if r["val_loss"] and 0 <= float(r["val_loss"]) < 1
        and abs(float(r["val_loss"]) + float(r["val_accuracy"]) - 1) < 1e-5]
print(len(rows), len(good))')
expect_eq "val_loss recorded for both trials" "2 2" "$ran"
expect_eq "the trials ran what --print-trials showed" \
  "$(echo "$printed" | awk 'NR == 2 || NR == 3 {print $2, $3, $4}')" \
  "$(salvo runs --all --json | "$PY" -c '
import json, sys
def plain(v):
    return v.get("f", v.get("i", v.get("s"))) if isinstance(v, dict) else v
runs = [r for r in json.load(sys.stdin) if r["kind"] == "trial" and r["batch_id"] == sys.argv[1]]
for r in sorted(runs, key=lambda r: r["trial_index"]):
    print(plain(r["flags"]["C"]), plain(r["flags"]["gamma"]), plain(r["flags"]["kernel"]))' "$batch")"
finish
