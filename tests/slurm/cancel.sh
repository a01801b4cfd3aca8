#!/usr/bin/env bash
# `salvo stop` cancels the batch's Slurm jobs (scancel); a user's own scancel of a
# trial's job ends that trial terminated, without a new attempt.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"
cat > slow.py <<'PY'
import time
x = 0
print("started x=%s" % x, flush=True)
time.sleep(120)
print("loss: %s" % x)
PY

# scancel by the user: terminated, not retried.
"$SALVO" run slow.py 'x=[1]' --backend slurm -y -q >"$WORK/one.log" 2>&1 &
runner=$!
wait_until 60 has_jobs || fail "no job started"
job=$(job_ids | head -n 1)
wait_until 60 job_is "$job" RUNNING || fail "job $job is not running"
scancel "$job"
wait "$runner"
trial=$(basename "$(run_dir_of_job "$job")")
status=$(info_field "$trial" status)
expect_match "scancel ends the trial terminated" "$status" "^terminated \(cancelled outside Salvo"
expect_eq "and it is not run again" 1 "$(info_field "$trial" attempt)"
expect_eq "no second job" 1 "$(job_ids | wc -l | tr -d ' ')"

# salvo stop: every running job of the batch is cancelled.
"$SALVO" run slow.py 'x=[2,3]' --backend slurm -j 2 -y -q >"$WORK/two.log" 2>&1 &
runner=$!
wait_until 60 has_jobs 3 || fail "the batch's two jobs did not start"
jobs=$(job_ids | tail -n 2)
for j in $jobs; do wait_until 60 job_is "$j" RUNNING || fail "job $j is not running"; done
out=$(salvo stop 2>&1)
expect_contains "salvo stop stops the batch" "$out" "Stopping"
wait_until 60 bash -c "! kill -0 $runner 2>/dev/null" || fail "salvo run did not end"
for j in $jobs; do
  wait_until 30 job_is "$j" CANCELLED
  expect_eq "job $j cancelled" CANCELLED "$(job_state "$j")"
done
expect_eq "both trials terminated" 2 \
  "$(salvo runs --all | grep 'slow.py ' | grep -E 'x=(2|3)' | grep -c terminated)"
finish
