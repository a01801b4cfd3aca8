#!/usr/bin/env bash
# --max-trials 20 with 8 agents and trials of random length creates exactly 20 trials,
# and the agents go idle afterwards.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cluster_lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"
cat > rand.py <<'PY'
import random, time
x = 0.5
time.sleep(random.random())
print("loss: %s" % (x * x))
PY
export SALVO_COORDINATOR=$URL
start_coordinator
for i in 1 2 3 4 5 6 7 8; do start_agent "n$i"; done
wait_until 15 agents_joined 8 && pass "eight agents joined" || fail "agents did not join"
out=$(salvo run rand.py 'x=[-1.0:1.0]' -o gp -m 20 -y 2>&1); rc=$?
expect_code "the batch completes" 0 "$rc"
batch=$(salvo select -o rand.py+gp)
expect_eq "exactly 20 trials were created" 20 "$(salvo runs --all --json | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin) if r.get("batch_id") == sys.argv[1]))' "$batch")"
expect_eq "all 20 completed" 20 "$(count_status "$batch" completed)"
expect_contains "the summary is printed" "$out" "20 trial(s): 20 completed"
sleep 1
idle=$(salvo runs --all --json | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin) if r["status"] == "running"))')
expect_eq "nothing runs afterwards" 0 "$idle"
distinct=$(salvo runs --all --json | python3 -c '
import json, sys
xs = [r["flags"]["x"] for r in json.load(sys.stdin) if r.get("batch_id") == sys.argv[1]]
xs = [x["f"] if isinstance(x, dict) else x for x in xs]
print(len(set(round(v, 9) for v in xs)))' "$batch")
expect_eq "pending-aware suggestions: 20 distinct points" 20 "$distinct"

# --restart through the coordinator continues the batch: with random-starts=0 and -m 4 (four
# more), every new trial is model-guided.
guided_of() { salvo runs info "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["guided_trials"])'; }
before=$(guided_of "$batch")
out=$(salvo run --restart "$batch" -m 4 -Fo random-starts=0 -y 2>&1); rc=$?
expect_code "the restart through the coordinator completes" 0 "$rc"
expect_eq "the batch has 24 trials" 24 "$(count_status "$batch" completed)"
expect_eq "the 4 new trials are model-guided" "$((before + 4))" "$(guided_of "$batch")"
finish
