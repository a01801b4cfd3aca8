#!/usr/bin/env bash
# The walkthrough's gp search with --backend slurm: ten trials, each its own Slurm job,
# three random starts and seven model-guided ones, the best near the minimum at -0.29.
source "$(dirname "$0")/lib.sh"
cd "$SRC"

out=$(salvo run examples/train.py 'x=[-2.0:2.0]' -o gp -m 10 --random-seed 11 \
  --backend slurm -y -q 2>&1); rc=$?
expect_code "the gp batch completes" 0 "$rc"
expect_contains "the summary counts the trials" "$out" "10 trial(s): 10 completed, 0 failed"
expect_contains "3 random starts, 7 model-guided" "$out" "3 random / 7 guided"
expect_eq "one Slurm job per trial" 10 "$(job_ids | wc -l | tr -d ' ')"
for job in $(job_ids); do
  state=$(job_state "$job")
  # Slurm may already have forgotten a finished job (MinJobAge); then it is not listed.
  [ -z "$state" ] || [ "$state" == COMPLETED ] || fail "job $job ended $state"
done
batch=$(salvo select -o train.py+gp)
expect_eq "the batch ran on Slurm" slurm "$(info_field "$batch" backend)"
best=$(salvo compare :10 --operation train.py --csv - | python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
print(min(rows, key=lambda r: float(r["loss"]))["x"])')
expect_eq "the best trial lies within 0.15 of the minimum" 1 \
  "$(python3 -c "print(int(abs($best + 0.28922) <= 0.15))")"
finish
