#!/usr/bin/env bash
# Slurm stops a preempted job with SIGINT and then SIGTERM; the trial's script catches
# them and exits 0 without printing its objective. The attempt is preempted, not
# completed, and the trial runs again and completes with the same flags.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"
cat > train.py <<'PY'
import os, signal, sys, time
x = 5
if os.path.exists("attempt-1"):
    print("second attempt, x=%s" % x)
    print("loss: %s" % x)
    sys.exit(0)
open("attempt-1", "w").close()
got = []
def on_signal(signum, frame):
    got.append(signal.Signals(signum).name)
    print("caught %s" % got[-1], flush=True)
    if len(got) == 2:
        sys.exit(0)  # a clean exit, without the objective
signal.signal(signal.SIGINT, on_signal)
signal.signal(signal.SIGTERM, on_signal)
print("running, x=%s" % x, flush=True)
for _ in range(1200):
    time.sleep(0.1)
print("loss: 1000")
PY

"$SALVO" run train.py 'x=[5]' --backend slurm -y -q >"$WORK/run.log" 2>&1 &
runner=$!
wait_until 60 has_jobs || fail "no job started"
job=$(job_ids | head -n 1)
dir=$(run_dir_of_job "$job")
wait_until 60 grep -qs "running, x=5" "$dir/output" || fail "the trial did not start"
scancel --signal=INT --batch "$job"
wait_until 10 grep -qs "caught SIGINT" "$dir/output" || fail "SIGINT did not reach the trial"
scancel --signal=TERM --batch "$job"
wait "$runner"; rc=$?
expect_code "the batch completes" 0 "$rc"
output=$(cat "$dir/output")
expect_contains "the trial caught SIGINT" "$output" "caught SIGINT"
expect_contains "then SIGTERM" "$output" "caught SIGTERM"
trial=$(basename "$dir")
expect_eq "the trial completed in the end" completed "$(info_field "$trial" status | cut -d' ' -f1)"
expect_eq "on its second attempt" 2 "$(info_field "$trial" attempt)"
expect_eq "the first was a preemption" 1 "$(info_field "$trial" preemptions)"
expect_contains "the second attempt ran with the same flags" "$output" "second attempt, x=5"
expect_not_contains "the first attempt's objective never came" "$output" "loss: 1000"
expect_eq "the objective is the second attempt's" 5 \
  "$(salvo compare --csv - -a | python3 -c 'import csv,sys; print(int(float([r["loss"] for r in csv.DictReader(sys.stdin) if r["x"] == "5"][0])))')"
finish
