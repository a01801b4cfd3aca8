#!/usr/bin/env bash
# A trial that reaches its job's time limit: Slurm's early-warning SIGUSR1
# (--signal=B:USR1@N) reaches the trial while it runs, and the trial ends as a timeout,
# not a preemption, without a new attempt. Takes about 1-2 minutes (a 1-minute limit).
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"
cat > long.py <<'PY'
import signal, time
x = 0
def warned(signum, frame):
    with open("warned", "w") as f:
        f.write("USR1")
    print("got SIGUSR1: checkpoint written", flush=True)
signal.signal(signal.SIGUSR1, warned)
print("running x=%s" % x, flush=True)
time.sleep(600)
print("loss: 0")
PY

out=$(salvo run long.py 'x=[1]' --backend slurm --sbatch-arg=--time=1 \
  --sbatch-arg=--signal=B:USR1@40 -y -q 2>&1); rc=$?
expect_code "the batch fails" 1 "$rc"
job=$(job_ids | head -n 1)
dir=$(run_dir_of_job "$job")
trial=$(basename "$dir")
expect_eq "the trial got the early warning" USR1 "$(cat "$dir/warned" 2>/dev/null)"
expect_contains "the trial's output shows it" "$(cat "$dir/output")" "got SIGUSR1"
expect_eq "the job TIMEOUT" TIMEOUT "$(job_state "$job")"
status=$(info_field "$trial" status)
expect_match "the trial is a timeout" "$status" "^timeout"
expect_eq "one attempt" 1 "$(info_field "$trial" attempt)"
expect_eq "no preemption" "" "$(info_field "$trial" preemptions)"
finish
