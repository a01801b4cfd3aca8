#!/usr/bin/env bash
# Recovery on a coordinator and agents on loopback: a grid whose queued points outlive a
# coordinator SIGKILL, an agent interrupted right after a dispatch, a trial orphaned by a
# coordinator and agent killed together (then stopped and deleted), and a following
# client killed mid-batch while the batch goes on and its errored trials are selectable.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cluster_lib.sh"
agent_joined() { grep -q "Agent $1.* joined from\|agent $1.* joined from" "$WORK/coord.log"; }
mkdir -p "$WORK/proj" && cd "$WORK/proj"
cat > grid.py <<'PY'
import os, sys, time
a = 1
pause = 0.6
with open(os.environ["EVENTS"], "a") as f:
    f.write("start %s %s\n" % (os.environ["SALVO_RUN_ID"], a))
time.sleep(pause)
if a < 0:
    sys.exit(3)
print("loss: %s" % a)
with open(os.environ["EVENTS"], "a") as f:
    f.write("end %s %s\n" % (os.environ["SALVO_RUN_ID"], a))
PY
export EVENTS="$WORK/events.log" SALVO_COORDINATOR=$URL
touch "$EVENTS"
# Each grid point that ran to its end, counted: "a=1 a=2 ..." sorted, once per end.
ends_of() { awk '$1 == "end" {print "a=" $3}' "$EVENTS" | sort | tr '\n' ' '; }

start_coordinator
start_agent one
wait_until 10 agent_joined one || fail "the agent joined"

# --- A grid of 4 on one agent; the coordinator is SIGKILLed while trial 1 runs and the
# three queued points have never started. Each completes exactly once.
salvo run grid.py 'a=[1,2,3,4]' -y --background >/dev/null 2>&1
batch=$(salvo select -o grid.py+)
wait_until 10 grep -q "^start" "$EVENTS" || fail "trial 1 did not start"
kill -9 "$COORD_PID"; wait "$COORD_PID" 2>/dev/null
sleep 0.3
start_coordinator
wait_until 60 batch_done "$batch" || fail "the grid did not finish after the restart"
expect_eq "every grid point completed" 4 "$(count_status "$batch" completed)"
expect_eq "each point ran to its end exactly once" "a=1 a=2 a=3 a=4 " "$(ends_of)"
: >"$EVENTS"

# --- An agent interrupted (SIGINT) right after it was given a point: the point goes back
# to the queue, nothing is left running, all 6 points complete.
kill "${AGENT_PID[one]}"; wait "${AGENT_PID[one]}" 2>/dev/null
start_agent two
wait_until 10 agent_joined two || fail "agent two joined"
salvo run grid.py 'a=[1,2,3,4,5,6]' pause=0.3 -y --background >/dev/null 2>&1
batch=$(salvo select -o grid.py+)
wait_until 10 grep -q "dispatched\|started on agent" "$WORK/coord.log" ||
  wait_until 10 grep -q "^start" "$EVENTS"
kill -INT "${AGENT_PID[two]}"
wait "${AGENT_PID[two]}" 2>/dev/null
start_agent three
wait_until 60 batch_done "$batch" || fail "the grid did not finish after the interrupted agent"
expect_eq "all 6 points completed" 6 "$(count_status "$batch" completed)"
expect_eq "none shown running" 0 "$(count_status "$batch" running)"
expect_eq "each of the 6 points ran to its end once" "a=1 a=2 a=3 a=4 a=5 a=6 " "$(ends_of)"
: >"$EVENTS"

# --- The coordinator and the agent SIGKILLed together mid-trial (a reboot): after both
# restart, the orphaned trial is not shown running; stop and rm of it succeed.
salvo run grid.py 'a=[1,2]' pause=30 -y --background >/dev/null 2>&1
batch=$(salvo select -o grid.py+)
wait_until 10 grep -q "^start" "$EVENTS" || fail "the long trial did not start"
pkill -9 -P "${AGENT_PID[three]}" 2>/dev/null
kill -9 "${AGENT_PID[three]}" "$COORD_PID"
wait "${AGENT_PID[three]}" "$COORD_PID" 2>/dev/null
start_coordinator
first=$(salvo runs --all --json | python3 -c '
import json, sys
print(next(r["id"] for r in json.load(sys.stdin) if r.get("kind") == "trial" and r.get("trial_index") == 0 and r["batch_id"] == sys.argv[1]))' "$batch")
# Its agent never comes back: after the timeout the attempt is lost, never "running".
wait_until 20 bash -c "[ \"\$('$SALVO' runs info '$first' --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"status\"])')\" != running ]" ||
  fail "the orphaned trial still shows running"
status=$(salvo runs info "$first" --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["status"], "reason:", r.get("reason", ""))')
expect_match "the orphaned trial is reconciled with a reason, not running" "$status" \
  '^(pending|error|terminated|lost) reason: .+'

out=$(salvo stop "$batch" -y 2>&1); rc=$?
expect_code "stop of the batch with the orphaned trial succeeds" 0 "$rc"
wait_until 20 batch_done "$batch" || fail "the stopped batch did not end"
expect_eq "the batch ended terminated" terminated "$(batch_status "$batch")"
expect_eq "nothing of it is shown running" 0 "$(count_status "$batch" running)"
out=$(salvo runs rm "$first" -y 2>&1); rc=$?
expect_code "rm of the orphaned trial succeeds" 0 "$rc"
expect_eq "and it is gone (an unknown run: exit 2)" 2 "$(salvo runs info "$first" >/dev/null 2>&1; echo $?)"
: >"$EVENTS"

# --- A grid of 8 with a following client that is SIGKILLed mid-batch: the batch goes on
# on the coordinator, no trial vanishes, and `select --error --all` prints the errored
# trials' ids, one per line.
start_agent four --slots 2
wait_until 10 agent_joined four || fail "agent four joined"
salvo run grid.py 'a=[-2,-1,1,2,3,4,5,6]' pause=0.5 -y >"$WORK/follow.out" 2>&1 &
client=$!
wait_until 10 grep -q "^start" "$EVENTS" || fail "the batch of 8 did not start"
kill -9 "$client"; wait "$client" 2>/dev/null
pass "the following client was killed mid-batch"
batch=$(salvo select -o grid.py+)
wait_until 60 batch_done "$batch" || fail "the batch did not finish without its client"
expect_eq "all 8 trials exist" 8 "$(salvo runs --all --json | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin) if r.get("batch_id") == sys.argv[1]))' "$batch")"
expect_eq "6 completed" 6 "$(count_status "$batch" completed)"
expect_eq "2 errored" 2 "$(count_status "$batch" error)"
errored=$(salvo select --error --all)
expect_eq "select --error --all prints the 2 errored ids, one per line" 2 \
  "$(echo "$errored" | grep -cE '^[0-9a-f]{32}$')"
for id in $errored; do
  expect_eq "selected ${id:0:8} is an errored trial" error "$(salvo runs info "$id" --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')"
done
kill "$COORD_PID" 2>/dev/null
finish
