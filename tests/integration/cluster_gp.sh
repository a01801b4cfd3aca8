#!/usr/bin/env bash
# The walkthrough's gp search across a coordinator and 3 agents on loopback with Curve
# keys: an agent is SIGKILLed mid-trial and the coordinator is SIGKILLed and started
# again mid-batch; the batch still ends with every trial completed exactly once. An
# agent and a client whose keys are not on the allow-list get nothing.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cluster_lib.sh"
mkdir -p "$WORK/proj" "$WORK/keys" && cd "$WORK/proj"
cat > train.py <<'PY'
import math, os, random, time
x = 0.1
noise = 0.1
time.sleep(float(os.environ.get("TRIAL_SLEEP", "0.5")))
rng = random.Random(int(os.environ.get("SALVO_TRIAL_SEED", "0")))
print("loss: %f" % (math.sin(5 * x) * (1 - math.tanh(x * x)) + noise * rng.gauss(0, 1)))
with open(os.environ["DONE_LOG"], "a") as f:
    f.write(os.environ["SALVO_RUN_ID"] + "\n")
PY
export DONE_LOG="$WORK/done.log"

for who in coord a1 a2 a3 client rogue; do
  salvo keygen --out "$WORK/keys/$who" >/dev/null || fail "keygen $who"
done
cat "$WORK/keys"/{a1,a2,a3,client}.pub > "$WORK/keys/allow.pub"
expect_eq "key files are private" 600 "$(stat -c %a "$WORK/keys/a1.key")"

out=$(salvo coordinator --bind "tcp://0.0.0.0:$PORT" 2>&1); rc=$?
expect_code "no keys off loopback" 2 "$rc"
expect_contains "says why" "$out" "without keys"

start_coordinator --key "$WORK/keys/coord.key" --allow "$WORK/keys/allow.pub"
for a in a1 a2 a3; do
  start_agent "$a" --key "$WORK/keys/$a.key" --server-key "$WORK/keys/coord.pub"
done
start_agent rogue --key "$WORK/keys/rogue.key" --server-key "$WORK/keys/coord.pub"
wait_until 10 agents_joined 3 && pass "three agents joined" || fail "agents did not join"

export SALVO_COORDINATOR=$URL SALVO_KEY=$WORK/keys/client.key
export SALVO_SERVER_KEY=$WORK/keys/coord.pub

out=$(salvo coordinator --bind "tcp://127.0.0.1:$(free_port)" 2>&1); rc=$?
expect_code "a second coordinator on the store refuses" 2 "$rc"
expect_contains "and names the holder" "$out" "store in use by salvo coordinator, pid $COORD_PID"

out=$(salvo run train.py 'x=[-2.0:2.0]' -o gp -m 12 --random-seed 5 -y --background 2>&1)
rc=$?
expect_code "the batch is submitted" 0 "$rc"
batch=$(salvo select -o train.py+gp)
expect_match "select finds it through the coordinator" "$batch" '^[0-9a-f]{32}$'

# SIGKILL an agent while it runs a trial.
victim=""
for _ in $(seq 1 100); do
  running=$(salvo runs --all --json 2>/dev/null | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    if r.get("status") == "running" and r.get("kind") == "trial" and r.get("external_id"):
        print(r["external_id"]); break')
  if [ -n "$running" ] && [ "$(count_status "$batch" completed)" -ge 2 ]; then
    victim=$running
    break
  fi
  sleep 0.1
done
if [ -n "$victim" ]; then
  kill -9 "${AGENT_PID[$victim]}"
  pass "killed agent $victim mid-trial"
else
  fail "no trial was seen running on an agent"
fi
wait_until 10 grep -q "Agent $victim left" "$WORK/coord.log" &&
  pass "the killed agent is noticed after the heartbeat timeout" ||
  fail "the killed agent was not noticed"

wait_until 30 bash -c "[ \$(grep -c . '$DONE_LOG' 2>/dev/null || echo 0) -ge 7 ]" ||
  fail "the batch stalled after the agent was killed"
kill -9 "$COORD_PID"
wait "$COORD_PID" 2>/dev/null
pass "killed the coordinator mid-batch"
ended_before=$(grep -c . "$DONE_LOG")
# Down long enough for the trials in flight (0.5 s each) to end while it is gone.
sleep 1.5
ended_while_down=$(tail -n +"$((ended_before + 1))" "$DONE_LOG")
start_coordinator --key "$WORK/keys/coord.key" --allow "$WORK/keys/allow.pub"
wait_until 90 batch_done "$batch" || fail "the batch did not finish after the restart"

expect_eq "the batch completed" completed "$(batch_status "$batch")"
expect_eq "12 trials completed" 12 "$(count_status "$batch" completed)"
expect_eq "none left running" 0 "$(count_status "$batch" running)"
expect_eq "each trial completed exactly once" 12 "$(sort -u "$DONE_LOG" | wc -l | tr -d ' ')"
lost=$(salvo runs --all --json | python3 -c '
import json, sys
print(sum(r.get("lost_attempts", 0) for r in json.load(sys.stdin) if r.get("kind") == "trial"))')
runs_total=$(grep -c . "$DONE_LOG")
if [ "$runs_total" -le $((12 + lost)) ]; then
  pass "no trial ran to its end twice beyond its lost attempts ($runs_total runs, $lost lost)"
else
  fail "$runs_total trial runs ended for 12 trials and $lost lost attempts"
fi
if [ -n "$ended_while_down" ]; then
  pass "$(echo "$ended_while_down" | wc -l | tr -d ' ') trial(s) ended while the coordinator was down"
  for id in $ended_while_down; do
    expect_eq "the result of ${id:0:8}, sent while the coordinator was down, is delivered" \
      completed "$(salvo runs info "$id" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')"
  done
else
  fail "no trial ended while the coordinator was down"
fi
log=$(cat "$WORK/coord.log")
expect_contains "its trial is run again" "$(salvo runs --all --json)" '"lost_attempts": 1'
expect_contains "the restarted coordinator resumes the batch" "$log" "Resuming batch ${batch:0:8}"
expect_contains "and adopts the trials agents still run" "$log" "adopted"
expect_contains "the rogue agent is refused" "$log" "Refused a connection"
expect_eq "the rogue agent ran nothing" 0 "$(ls "$WORK/agents/rogue/runs" 2>/dev/null | wc -l | tr -d ' ')"
out=$(SALVO_KEY=$WORK/keys/rogue.key timeout 20 "$SALVO" runs 2>&1); rc=$?
expect_not_contains "a client with an unknown key reads nothing" "$out" "train.py"
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then
  pass "a client with an unknown key gets an error (exit $rc)"
else
  fail "a client with an unknown key: exit $rc (0 would be success, 124 a hang)"
fi
expect_contains "and is told why" "$out" "salvo: error:"
hosts=$(salvo runs --all --json | python3 -c '
import json, sys
print(len({r["external_id"] for r in json.load(sys.stdin) if r.get("kind") == "trial"}))')
if [ "$hosts" -ge 2 ]; then pass "trials ran on $hosts agents"; else fail "trials ran on $hosts agent(s)"; fi
guided=$(salvo runs info "$batch" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["guided_trials"])')
expect_eq "9 trials were model-guided" 9 "$guided"
# Each suggestion's time is logged: the points suggested add up to the 12 trials (a lost
# attempt is run again without a new suggestion).
suggested=$(grep -o "gp suggested [0-9]* point(s) in [0-9.]* ms" "$WORK/coord.log" |
  awk '{n += $3} END {print n + 0}')
expect_eq "the coordinator logged the time of every suggestion" 12 "$suggested"

# Each completed trial records where its files are on the agent that ran it.
missing=$(salvo runs --all --json | python3 -c '
import json, os, sys
work = sys.argv[1]
for r in json.load(sys.stdin):
    if r["kind"] == "trial" and r["status"] == "completed":
        d = r.get("remote_dir", "")
        if not d.startswith(work + "/agents/") or not os.path.isdir(d):
            print(r["id"][:8], repr(d))
' "$WORK")
expect_eq "completed trials record their run folder on the agent" "" "$missing"
first=$(salvo runs --all --json | python3 -c '
import json, sys
print(next(r["id"] for r in json.load(sys.stdin) if r["kind"] == "trial" and r["status"] == "completed"))')
expect_contains "runs info shows the agent's folder" "$(salvo runs info "$first")" "files on"
finish
