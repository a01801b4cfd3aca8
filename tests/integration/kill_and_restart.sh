#!/usr/bin/env bash
# SIGKILL of `salvo run` mid-batch: nothing stored is lost, no trial process survives,
# the trial it left behind shows terminated, and --restart finishes the batch with every
# grid point completed exactly once.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"
cat > slow.py <<'PY'
import time
x = 1
time.sleep(0.6)
print("loss: %s" % x)
PY

"$SALVO" run slow.py 'x=[1,2,3,4,5,6]' -y -q > "$WORK/run.log" 2>&1 &
runner=$!
for _ in $(seq 1 200); do
  done_count=$(salvo runs --all --completed 2>/dev/null | grep -c 'slow.py ' || true)
  [ "$done_count" -ge 2 ] && break
  sleep 0.05
done
sleep 0.2
kill -9 "$runner"
wait "$runner" 2>/dev/null
sleep 0.3

left=$(pgrep -f "$WORK/home/runs/.*/slow.py" | wc -l | tr -d ' ')
expect_eq "no trial process outlives its runner" 0 "$left"
runs=$(salvo runs --all)
expect_not_contains "nothing shows running" "$runs" "running"
expect_contains "the interrupted trial shows terminated" "$runs" "terminated"
completed_before=$(echo "$runs" | grep 'slow.py ' | grep -c completed)
if [ "$completed_before" -ge 2 ]; then pass "completed trials kept ($completed_before)"; else fail "completed trials lost: $completed_before"; fi

batch=$(salvo select -o slow.py+)
out=$(salvo run --restart "$batch" -y -q 2>&1); rc=$?
expect_code "restart finishes the batch" 0 "$rc"
runs=$(salvo runs --all)
expect_eq "six trials in all" 6 "$(echo "$runs" | grep -c 'slow.py ')"
expect_eq "all six completed" 6 "$(echo "$runs" | grep 'slow.py ' | grep -c completed)"
for x in 1 2 3 4 5 6; do
  expect_eq "x=$x ran once" 1 "$(echo "$runs" | grep -c "  x=$x\$")"
done
expect_eq "batch completed" 1 "$(echo "$runs" | grep 'slow.py+ ' | grep -c completed)"
finish
