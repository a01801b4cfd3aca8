#!/usr/bin/env bash
# Agents on loopback (no keys): GPUs shared out disjointly, an agent stopped past the
# timeout (its late result is discarded, the retry counts), an agent whose trials keep
# failing fast is paused, and `salvo stop` ends trials on agents in either order.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cluster_lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"
cat > job.py <<'PY'
import os, sys, time
x = 1
pause = 0.0
if os.environ.get("KILL_AGENT"):
    os.kill(os.getppid(), 9)  # the trial takes its agent down, as a crashing node would
    time.sleep(10)
if os.environ.get("FAIL_HERE"):
    print("CUDA error: out of memory", file=sys.stderr)
    sys.exit(1)
log = os.environ["EVENTS"]
with open(log, "a") as f:
    f.write("start %s %s %.3f\n" % (os.environ["SALVO_RUN_ID"], os.environ.get("CUDA_VISIBLE_DEVICES", "-"), time.time()))
time.sleep(pause)
print("loss: %s" % x)
with open(log, "a") as f:
    f.write("end %s - %.3f\n" % (os.environ["SALVO_RUN_ID"], time.time()))
PY
export EVENTS="$WORK/events.log"
export SALVO_COORDINATOR=$URL
start_coordinator --fast-failure-limit 3 --stop-grace-ms 2000

# --- GPUs: 4 GPUs, 2 per trial: two trials at once with disjoint devices, a third waits.
start_agent gpu --slots 4 --gpus 0,1,2,3 --gpus-per-trial 2
wait_until 10 agents_joined 1 || fail "the GPU agent did not join"
out=$(salvo run job.py 'x=[1,2,3]' pause=1.5 -y 2>&1); rc=$?
expect_code "the GPU batch completes" 0 "$rc"
python3 - "$EVENTS" <<'PY' > "$WORK/gpu-check.txt"
import sys
starts, ends = {}, {}
for line in open(sys.argv[1]):
    kind, run, gpus, t = line.split()
    (starts if kind == "start" else ends)[run] = (float(t), gpus)
order = sorted(starts, key=lambda r: starts[r][0])
a, b, c = order
overlap = starts[b][0] < ends[a][0]
disjoint = not set(starts[a][1].split(",")) & set(starts[b][1].split(","))
pairs = all(len(starts[r][1].split(",")) == 2 for r in order)
third_waited = starts[c][0] >= min(ends[a][0], ends[b][0]) - 0.05
print("overlap=%s disjoint=%s pairs=%s third_waited=%s" % (overlap, disjoint, pairs, third_waited))
PY
expect_eq "two trials at once, disjoint GPU pairs, the third waits" \
  "overlap=True disjoint=True pairs=True third_waited=True" "$(cat "$WORK/gpu-check.txt")"
kill "${AGENT_PID[gpu]}"; wait "${AGENT_PID[gpu]}" 2>/dev/null
rm -f "$EVENTS"

# --- SIGSTOP past the timeout: the trial is lost there and run again elsewhere; the
# stopped agent's late result is discarded and the trial counts once.
start_agent s1
wait_until 10 agents_joined 2 || fail "agent s1 did not join"
salvo run job.py 'x=[7]' pause=3 -y --background >/dev/null 2>&1
batch=$(salvo select -o job.py+)
wait_until 10 grep -q start "$EVENTS" || fail "the trial did not start on s1"
kill -STOP "${AGENT_PID[s1]}"
start_agent s2
wait_until 30 batch_done "$batch" || fail "the retry did not finish"
kill -CONT "${AGENT_PID[s1]}"
wait_until 10 grep -q "Discarded the late result" "$WORK/coord.log" &&
  pass "the stopped agent's late result is discarded" || fail "no late result was discarded"
expect_eq "the trial completed once" 1 "$(count_status "$batch" completed)"
attempt=$(salvo runs --all --json | python3 -c '
import json, sys
print([r["attempt"] for r in json.load(sys.stdin) if r.get("batch_id") == sys.argv[1]][0])' "$batch")
expect_eq "on its second attempt" 2 "$attempt"
kill "${AGENT_PID[s1]}" "${AGENT_PID[s2]}"; wait "${AGENT_PID[s1]}" "${AGENT_PID[s2]}" 2>/dev/null

# --- A broken node: every trial on agent "bad" fails at once; it is paused after 3.
FAIL_HERE=1 start_agent bad
start_agent good
wait_until 10 agents_joined 5 || fail "agents bad and good did not join"
out=$(salvo run job.py 'x=[1:100]' -o random -m 12 -y 2>&1); rc=$?
expect_code "the batch with a broken agent completes" 0 "$rc"
expect_contains "the broken agent is paused and reported" "$(cat "$WORK/coord.log")" "Agent bad paused"
agents=$(salvo agents)
expect_match "salvo agents lists the broken agent as paused" "$agents" \
  '(^|
)bad +[^ ]+ +1 +0 +0 +[1-9][0-9]* +paused \(fast failures\)'
expect_match "and the healthy one as active" "$agents" '(^|
)good +[^ ]+ +1 +[0-9]+ +[1-9][0-9]* +[0-9]+ +active'
expect_eq "salvo agents --json has both" "bad good" \
  "$(salvo agents --json | python3 -c 'import json,sys; print(" ".join(sorted(a["name"] for a in json.load(sys.stdin))))')"
batch=$(salvo select -o job.py+random)
failed=$(count_status "$batch" error)
completed=$(count_status "$batch" completed)
if [ "$failed" -le 3 ] && [ "$completed" -ge 9 ]; then
  pass "most trials completed on the healthy agent ($completed completed, $failed failed)"
else
  fail "$completed completed, $failed failed"
fi
on_bad=$(salvo runs --all --json | python3 -c '
import json, sys
rs = [r for r in json.load(sys.stdin) if r.get("batch_id") == sys.argv[1] and r["status"] == "error"]
print(all(r["external_id"] == "bad" for r in rs) and len(rs) > 0)' "$batch")
expect_eq "runs show that the failures ran on agent bad" True "$on_bad"
kill "${AGENT_PID[bad]}"; wait "${AGENT_PID[bad]}" 2>/dev/null

# --- salvo stop: the batch first, then a trial first; both end terminated everywhere.
start_agent more
wait_until 10 agents_joined 6 || fail "agent more did not join"
for order in batch trial; do
  rm -f "$EVENTS"
  salvo run job.py 'x=[1,2]' pause=60 -y --background >/dev/null 2>&1
  batch=$(salvo select -o job.py+)
  wait_until 15 bash -c "[ \$(grep -c start '$EVENTS' 2>/dev/null || echo 0) -ge 2 ]" ||
    fail "stop ($order first): the trials did not start"
  if [ "$order" = trial ]; then
    trial=$(salvo runs --all --json | python3 -c '
import json, sys
print([r["id"] for r in json.load(sys.stdin) if r.get("batch_id") == sys.argv[1]][0])' "$batch")
    salvo stop "$trial" >/dev/null 2>&1
  fi
  salvo stop "$batch" >/dev/null 2>&1
  wait_until 20 batch_done "$batch" || fail "stop ($order first): the batch still runs"
  expect_eq "stop ($order first): the batch is terminated" terminated "$(batch_status "$batch")"
  expect_eq "stop ($order first): both trials are terminated" 2 "$(count_status "$batch" terminated)"
  left=$(pgrep -f "$WORK/agents/.*/job.py" | wc -l | tr -d ' ')
  expect_eq "stop ($order first): no trial process is left on the agents" 0 "$left"
done
kill "${AGENT_PID[good]}" "${AGENT_PID[more]}"
wait "${AGENT_PID[good]}" "${AGENT_PID[more]}" 2>/dev/null

# --- The retry limit: a trial whose agent dies under it each time is lost twice; with
# --max-lost-attempts 1 the second loss makes it an error instead of a third attempt.
kill "$COORD_PID"; wait "$COORD_PID" 2>/dev/null
start_coordinator --max-lost-attempts 1
joined=$(grep -c 'joined from' "$WORK/coord.log")
KILL_AGENT=1 start_agent k1
KILL_AGENT=1 start_agent k2
KILL_AGENT=1 start_agent k3
wait_until 10 agents_joined $((joined + 3)) || fail "agents k1-k3 did not join"
salvo run job.py 'x=[5]' -y >/dev/null 2>&1
batch=$(salvo select -o job.py+)
wait_until 20 batch_done "$batch" || fail "the retry limit: the batch still runs"
info=$(salvo runs --all --json | python3 -c '
import json, sys
t = [r for r in json.load(sys.stdin) if r.get("batch_id") == sys.argv[1]][0]
print(t["status"], t["attempt"], t["lost_attempts"])' "$batch")
expect_eq "two lost attempts, then an error" "error 2 2" "$info"
expect_eq "a third agent was not sacrificed" 2 "$(grep -c 'Agent k[123] left' "$WORK/coord.log")"
finish
