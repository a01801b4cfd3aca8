#!/usr/bin/env bash
# A grid batch with --backend slurm: every trial runs as its own Slurm job, named after
# the batch and the trial, and reports its objective back through its run directory.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"
cat > train.py <<'PY'
import os
x = 0.0
print("job %s on %s" % (os.environ.get("SLURM_JOB_ID"), os.environ.get("SLURMD_NODENAME")))
print("loss: %s" % ((x - 1) ** 2))
PY

# A cluster without accounting: an `sacct` that always fails changes nothing.
mkdir -p "$WORK/shim"
printf '#!/bin/sh\necho "sacct: error: Slurm accounting storage is disabled" >&2\nexit 1\n' \
  >"$WORK/shim/sacct"
chmod +x "$WORK/shim/sacct"
out=$(PATH="$WORK/shim:$PATH" salvo run train.py 'x=[0,1,2]' --backend slurm -y -q 2>&1); rc=$?
expect_not_contains "no word of accounting" "$out" "sacct"
expect_code "the batch completes" 0 "$rc"
runs=$(salvo runs --all)
expect_eq "three trials completed" 3 "$(echo "$runs" | grep 'train.py ' | grep -c completed)"
expect_eq "one Slurm job per trial" 3 "$(job_ids | wc -l | tr -d ' ')"

batch=$(salvo select -o train.py+)
short=${batch:0:8}
for job in $(job_ids); do
  name=$(scontrol show job -o "$job" 2>/dev/null | grep -o 'JobName=[^ ]*' | cut -d= -f2)
  expect_match "job $job is named after the batch and trial" "$name" "^salvo-$short-[0-2]\$"
  expect_eq "job $job COMPLETED" COMPLETED "$(job_state "$job")"
  dir=$(run_dir_of_job "$job")
  expect_contains "job $job's trial ran inside the job" "$(cat "$dir/output")" "job $job on localhost"
done

best=$(salvo runs --all | grep 'train.py ' | grep -c 'x=1')
expect_eq "x=1 ran" 1 "$best"
trial=$(salvo select -o train.py)
info=$(salvo runs info "$trial")
expect_match "runs info shows the Slurm job" "$info" "slurm job: [0-9]+"
finish
