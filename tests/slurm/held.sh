#!/usr/bin/env bash
# A trial's job held in the queue (scontrol hold): `runs` shows the hold's reason while it
# waits, and after hold-wait (slurm.yaml, here 5 s) Salvo cancels that job and submits the
# trial again, so the batch never stalls silently; the trial then completes.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"
printf 'x = 0\nprint("loss: %%s" %% x)\n' > train.py
printf 'hold-wait: 5\npoll-interval: 1\n' > slurm.yaml
cpus=$(sinfo -h -o %c | head -n 1)
# Keep the node busy so that the trial's job waits in the queue.
filler=$(sbatch --parsable --cpus-per-task="$cpus" -o /dev/null --wrap 'sleep 120')
wait_until 30 job_is "$filler" RUNNING || fail "the filler job did not start"

"$SALVO" run train.py 'x=[7]' --backend slurm --sbatch-arg=--cpus-per-task="$cpus" -y -q \
  >"$WORK/run.log" 2>&1 &
runner=$!
queued_job() { squeue -h -t PENDING -o '%i %j' | awk '$2 ~ /^salvo-/ {print $1}' | head -n 1; }
wait_until 30 bash -c "[ -n \"\$(squeue -h -t PENDING -o '%j' | grep '^salvo-')\" ]"
job=$(queued_job)
[ -n "$job" ] || fail "the trial's job was not queued"
scontrol hold "$job"
trial=$(salvo select -o train.py)
shown_held() { salvo runs --all | grep -q "(held by Slurm: JobHeld\(User\|Admin\))"; }
if wait_until 20 shown_held; then pass "runs shows the hold's reason"; else
  fail "runs does not show the hold: $(salvo runs --all | head -3)"; fi
gone() { [ -z "$(squeue -h -j "$job" -t PENDING 2>/dev/null)" ]; }
wait_until 30 gone && pass "after hold-wait the held job is cancelled" || fail "the held job stays"
scancel "$filler"
wait "$runner"; rc=$?
expect_code "the batch completes" 0 "$rc"
expect_eq "the trial completed" completed "$(info_field "$trial" status | cut -d' ' -f1)"
expect_eq "on a second attempt" 2 "$(info_field "$trial" attempt)"
new_job=$(info_field "$trial" 'slurm job')
if [ -n "$new_job" ] && [ "$new_job" != "$job" ]; then pass "a new job ran it ($new_job)"; else
  fail "the trial's job is '$new_job' (the held one was $job)"; fi
expect_contains "the log says why" "$(cat "$WORK/run.log")" "held"
finish
