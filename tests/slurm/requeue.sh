#!/usr/bin/env bash
# `scontrol requeue` of a running trial's job: the first attempt writes a checkpoint and
# is ended by Slurm; the same job runs again as the trial's second attempt, with the same
# flags and run directory, resumes from the checkpoint and completes. The attempt is
# recorded as a preemption, not as an error.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"
cat > train.py <<'PY'
import os, time
x = 3
restart = os.environ.get("SLURM_RESTART_COUNT", "0")
if os.path.exists("checkpoint"):
    with open("checkpoint") as f:
        step = int(f.read())
    print("resumed from step %d (restart %s, x=%s)" % (step, restart, x))
    print("loss: %s" % (x + step))
else:
    with open("checkpoint", "w") as f:
        f.write("7")
    print("checkpoint written (restart %s, x=%s)" % (restart, x), flush=True)
    time.sleep(120)
    print("loss: 1000")
PY

"$SALVO" run train.py 'x=[3]' --backend slurm -y -q >"$WORK/run.log" 2>&1 &
runner=$!
if wait_until 60 has_jobs; then pass "the trial's job started"; else fail "no job started"; fi
job=$(job_ids | head -n 1)
dir=$(run_dir_of_job "$job")
wait_until 60 test -f "$dir/checkpoint" || fail "the first attempt wrote no checkpoint"

requeued_at=$(date +%s)
scontrol requeue "$job"
# Slurm holds a requeued job for cred_expire (30 s on the test cluster); skip the hold,
# but not within the second of the requeue: slurmd refuses to launch a job whose
# credential is as old as the revocation ("Job credential revoked").
wait_until 60 job_is "$job" PENDING || fail "job $job did not go PENDING after requeue"
later_second() { (($(date +%s) > requeued_at + 1)); }
wait_until 5 later_second
scontrol update JobId="$job" StartTime=now
wait "$runner"; rc=$?
expect_code "the batch completes" 0 "$rc"

trial=$(basename "$dir")
expect_eq "the trial completed" completed "$(info_field "$trial" status | cut -d' ' -f1)"
expect_eq "two attempts" 2 "$(info_field "$trial" attempt)"
expect_eq "one preemption" 1 "$(info_field "$trial" preemptions)"
expect_eq "still the same Slurm job" "$job" "$(info_field "$trial" 'slurm job')"
expect_eq "one job, two runs of it" "1 2" "$(job_ids | wc -l | tr -d ' ') $(job_starts)"
output=$(cat "$dir/output")
expect_contains "the first attempt ran" "$output" "checkpoint written (restart 0, x=3)"
expect_contains "the second resumed with the same flags" "$output" \
  "resumed from step 7 (restart 1, x=3)"
expect_not_contains "the first attempt's objective never came" "$output" "loss: 1000"
expect_match "the objective is the second attempt's" "$(salvo runs --all | grep 'train.py ')" \
  "completed"
batch_info=$(salvo runs info "$(salvo select -o train.py+)")
expect_eq "no error counted against the batch" "" "$(echo "$batch_info" | grep 'first error')"
expect_contains "the log says preempted" "$(cat "$WORK/run.log")" "preempted"
finish
