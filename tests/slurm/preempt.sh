#!/usr/bin/env bash
# Real preemption on the local cluster: a job of the `urgent` partition (a higher
# PriorityTier) needs the node's CPUs that a trial's job holds. In the `requeue` partition
# the trial's job is requeued and runs again as the trial's next attempt (the same job,
# resuming from its checkpoint); in the `cancel` partition the job ends PREEMPTED and the
# trial runs again as a new job. Either way the trial completes, the attempt counts as a
# preemption, not an error, and Slurm's states were followed, not guessed.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"
cat > train.py <<'PY'
import os, time
x = 4
if os.path.exists("checkpoint"):
    print("resumed, x=%s" % x)
    print("loss: %s" % x)
else:
    open("checkpoint", "w").write("1")
    print("started, x=%s" % x, flush=True)
    time.sleep(300)
    print("loss: 1000")
PY
cpus=$(sinfo -h -o %c | head -n 1)

# preempt PARTITION: runs one trial there, preempts it, prints the trial's run folder.
preempt() {
  local partition=$1
  "$SALVO" run train.py 'x=[4]' --backend slurm --sbatch-arg=--partition="$partition" \
    --sbatch-arg=--cpus-per-task="$cpus" -y -q >"$WORK/run-$partition.log" 2>&1 &
  runner=$!
  wait_until 60 has_jobs "$2" || fail "$partition: no job started"
  job=$(job_ids | tail -n 1)
  dir=$(run_dir_of_job "$job")
  wait_until 60 grep -qs "started, x=4" "$dir/output" || fail "$partition: the trial did not start"
  urgent=$(sbatch --parsable -p urgent --cpus-per-task="$cpus" -o /dev/null --wrap 'sleep 2')
  wait_until 60 job_is "$urgent" RUNNING || wait_until 30 bash -c "[ -z \"\$(squeue -h -j $urgent 2>/dev/null)\" ]" ||
    fail "$partition: the urgent job did not run"
}

# --- requeue: the same job runs again.
preempt requeue 1
requeued_job=$job
requeue_dir=$dir
# Slurm holds a requeued job for a while (cred_expire); let it start once the node is free.
wait_until 60 job_is "$requeued_job" PENDING
wait_until 60 bash -c "[ -z \"\$(squeue -h -t RUNNING -j $urgent 2>/dev/null)\" ]"
sleep 1.5
scontrol update JobId="$requeued_job" StartTime=now 2>/dev/null
wait "$runner"; rc=$?
expect_code "requeue: the batch completes" 0 "$rc"
trial=$(basename "$requeue_dir")
expect_eq "requeue: the trial completed" completed "$(info_field "$trial" status | cut -d' ' -f1)"
expect_eq "requeue: on its second attempt" 2 "$(info_field "$trial" attempt)"
expect_eq "requeue: one preemption" 1 "$(info_field "$trial" preemptions)"
expect_eq "requeue: the same Slurm job" "$requeued_job" "$(info_field "$trial" 'slurm job')"
expect_contains "requeue: it resumed from the checkpoint" "$(cat "$requeue_dir/output")" "resumed, x=4"
expect_contains "requeue: the log says preempted" "$(cat "$WORK/run-requeue.log")" "preempted"

# --- cancel: the job ends PREEMPTED; a new job runs the next attempt.
preempt cancel 2
cancelled_job=$job
cancel_dir=$dir
wait "$runner"; rc=$?
expect_code "cancel: the batch completes" 0 "$rc"
trial=$(basename "$cancel_dir")
expect_eq "cancel: the preempted job ended PREEMPTED" PREEMPTED "$(job_state "$cancelled_job")"
expect_eq "cancel: the trial completed" completed "$(info_field "$trial" status | cut -d' ' -f1)"
expect_eq "cancel: on its second attempt" 2 "$(info_field "$trial" attempt)"
expect_eq "cancel: one preemption" 1 "$(info_field "$trial" preemptions)"
new_job=$(info_field "$trial" 'slurm job')
if [ -n "$new_job" ] && [ "$new_job" != "$cancelled_job" ]; then
  pass "cancel: the next attempt ran as a new job ($new_job)"
else
  fail "cancel: the next attempt's job is '$new_job' (the preempted one was $cancelled_job)"
fi
expect_contains "cancel: it resumed from the checkpoint" "$(cat "$cancel_dir/output")" "resumed, x=4"
finish
