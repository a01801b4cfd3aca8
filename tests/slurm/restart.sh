#!/usr/bin/env bash
# The process running a --backend slurm batch dies while its jobs run; `salvo run
# --restart` re-adopts the jobs whose ids the store holds instead of submitting them
# again, and the batch completes with each trial run once.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"
cat > slow.py <<'PY'
import time
x = 0
print("started x=%s" % x, flush=True)
time.sleep(8)
print("loss: %s" % x)
PY

"$SALVO" run slow.py 'x=[1,2]' --backend slurm -j 2 -y -q >"$WORK/first.log" 2>&1 &
runner=$!
wait_until 60 has_jobs 2 || fail "the batch's two jobs did not start"
before=$(job_ids | tr '\n' ' ')
kill -9 "$runner"
wait "$runner" 2>/dev/null
for j in $before; do
  expect_match "job $j still queued or running" "$(job_state "$j")" "^(PENDING|RUNNING)$"
done

batch=$(salvo select -o slow.py+)
out=$(salvo run --restart "$batch" -y -q 2>&1); rc=$?
expect_code "the restarted batch completes" 0 "$rc"
expect_contains "the jobs were adopted" "$out" "adopted"
expect_eq "no job submitted again" "$before" "$(job_ids | tr '\n' ' ')"
expect_eq "each job ran once" 2 "$(job_starts)"
runs=$(salvo runs --all)
expect_eq "both trials completed" 2 "$(echo "$runs" | grep 'slow.py ' | grep -c completed)"
expect_eq "the batch completed" 1 "$(echo "$runs" | grep 'slow.py+ ' | grep -c completed)"
finish
