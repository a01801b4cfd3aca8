#!/usr/bin/env bash
# An agent warned of its preemption (SIGUSR1, as Slurm's --signal=B:USR1@N sends to an
# agent job): it passes the signal to its trials at once and takes no more work. A trial
# that checkpoints and exits 0 without its objective, and one still running when the agent
# is then stopped, are both preempted (not lost, not completed), and run again elsewhere
# with the same flags and argv; a trial that finishes with its objective stays completed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cluster_lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"
cat > job.py <<'PY'
import json, os, signal, sys, time
x = 1
with open(os.environ["EVENTS"], "a") as f:
    f.write("start %s %s %s\n" % (os.environ["SALVO_RUN_ID"], x, json.dumps(sys.argv[1:])))
def warned(signum, frame):
    with open(os.environ["EVENTS"], "a") as f:
        f.write("usr1 %s %s\n" % (os.environ["SALVO_RUN_ID"], x))
    if x == 1:
        sys.exit(0)  # a checkpoint was written; no loss printed
signal.signal(signal.SIGUSR1, warned)
# x=3 waits for GO, the others for RELEASE (given once the warned agent is gone).
gate = os.environ["GO"] if x == 3 else os.environ["RELEASE"]
while not os.path.exists(gate):
    time.sleep(0.05)
print("loss: %s" % x)
PY
export EVENTS="$WORK/events.log" GO="$WORK/go" RELEASE="$WORK/release" SALVO_COORDINATOR=$URL
touch "$EVENTS"
start_coordinator
start_agent warned --slots 3
wait_until 10 agents_joined 1 || fail "the agent joined"

salvo run job.py 'x=[1,2,3]' -y --background >/dev/null 2>&1
batch=$(salvo select -o job.py+)
wait_until 15 bash -c "[ \$(grep -c '^start' '$EVENTS') -ge 3 ]" || fail "three trials started"
# x=3 may finish now on the warned agent: its result must stay completed.
touch "$GO"
wait_until 10 grep -q "Trial .* completed: loss=3" "$WORK/coord.log" || fail "x=3 completed"
kill -USR1 "${AGENT_PID[warned]}"
wait_until 10 bash -c "[ \$(grep -c '^usr1' '$EVENTS') -ge 2 ]" &&
  pass "the warning reached both running trials at once" ||
  fail "the trials did not get SIGUSR1"
wait_until 10 grep -q "Agent warned is stopping" "$WORK/coord.log" &&
  pass "the coordinator gives the warned agent no more work" ||
  fail "the coordinator did not hear of the warning"
expect_eq "the agent is still running its other trial" 0 \
  "$(kill -0 "${AGENT_PID[warned]}" 2>/dev/null; echo $?)"
# The job ends: the agent is stopped with x=2 still running.
sleep 0.5
kill -TERM "${AGENT_PID[warned]}"
wait "${AGENT_PID[warned]}" 2>/dev/null
touch "$RELEASE"
start_agent spare --slots 2
wait_until 60 batch_done "$batch" || fail "the batch did not finish on the spare agent"

info() { salvo runs --all --json | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    if r.get("batch_id") == sys.argv[1]:
        x = r["flags"]["x"]
        print(x, r["status"], r["attempt"], r.get("preemptions", 0), r.get("lost_attempts", 0))
' "$batch" | sort; }
expect_eq "x=1 and x=2 were preempted once, then completed; x=3 completed at once" \
  "1 completed 2 1 0
2 completed 2 1 0
3 completed 1 0 0" "$(info)"
for x in 1 2; do
  argvs=$(awk -v x="$x" '$1 == "start" && $3 == x {$1 = $2 = $3 = ""; print}' "$EVENTS" | sort -u | wc -l)
  expect_eq "x=$x: both attempts ran with the same arguments" 1 "$argvs"
done
expect_eq "the batch completed" completed "$(batch_status "$batch")"
kill "$COORD_PID" 2>/dev/null
finish
