#!/usr/bin/env bash
# Chaos run: a batch of 200 short trials on a coordinator and 4 agents on loopback while a
# seeded random schedule SIGKILLs and restarts agents and the coordinator, SIGSTOPs and
# resumes agents, and kills trial processes. The first four disruptions are one of each
# kind, in a seeded order; the rest are drawn at random. Then it checks that nothing was
# lost or counted twice, on the coordinator and in the store opened again without it.
#
# Environment: SALVO (the binary), CHAOS_SEED (default: from the clock; printed so that a
# failure can be replayed), CHAOS_SECONDS (length of the disruption phase, default 60; it ends early when the batch does),
# CHAOS_TRIALS (default 200).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../integration/lib.sh"
source "$here/../integration/cluster_lib.sh"

SEED=${CHAOS_SEED:-$(date +%s)}
CHAOS_SECONDS=${CHAOS_SECONDS:-60}
TRIALS=${CHAOS_TRIALS:-200}
AGENTS=(a1 a2 a3 a4)
RANDOM=$SEED
echo "chaos: seed $SEED (replay with CHAOS_SEED=$SEED), $TRIALS trials, ${CHAOS_SECONDS}s of disruption"

# The trial: sleeps 0.1-0.6 s (from its flag), then reports a loss that is a function of
# its flags, so a result delivered to the wrong trial shows.
mkdir -p "$WORK/proj"
cat >"$WORK/proj/chaos_trial.py" <<'PY'
import time
x = 0.5
t = 0.3
time.sleep(t)
print("loss: %.6f" % (x * x * 1000.0))
PY
cd "$WORK/proj" || exit 1

start_coordinator --max-lost-attempts 50
for a in "${AGENTS[@]}"; do start_agent "$a" --slots 2; done
wait_until 20 agents_joined 4 || fail "4 agents joined"

# tpe: a model-based batch, so the optimizer's history is exercised through every restart.
salvo run -y --background --coordinator "$URL" chaos_trial.py "x=[-1.0:1.0]" \
  "t=[0.3:1.5]" --optimizer tpe --max-trials "$TRIALS" --random-seed "$SEED" >"$WORK/run.out" 2>&1
BATCH=$(sed -n 's/.*[Bb]atch \([0-9a-f]\{8,\}\).*/\1/p' "$WORK/run.out" | head -n 1)
[ -n "$BATCH" ] || { cat "$WORK/run.out"; fail "batch submitted"; finish; exit 1; }
echo "chaos: batch $BATCH"
export SALVO_COORDINATOR=$URL

# Ended for sure: the coordinator answered with a final status (not just no answer).
batch_ended() { case $(batch_status "$1") in completed | error | terminated) return 0 ;; esac; return 1; }

kills_agent=0 kills_coord=0 stops=0 kills_trial=0
# One of each kind first (agent kill 0, coordinator kill 2, stop 3, trial kill 5), shuffled.
first=(0 2 3 5)
for ((i = 3; i > 0; i--)); do
  j=$((RANDOM % (i + 1)))
  tmp=${first[i]} first[i]=${first[j]} first[j]=$tmp
done
n=0
end=$((SECONDS + CHAOS_SECONDS))
while ((SECONDS < end)) && { ((n < 4)) || ! batch_ended "$BATCH"; }; do
  sleep "0.$((RANDOM % 8 + 2))"
  if ((n < 4)); then action=${first[n]}; else action=$((RANDOM % 10)); fi
  n=$((n + 1))
  agent=${AGENTS[$((RANDOM % ${#AGENTS[@]}))]}
  case $action in
    0 | 1)  # SIGKILL an agent (and its trials' process group), restart it
      pid=${AGENT_PID[$agent]}
      pkill -9 -P "$pid" 2>/dev/null
      kill -9 "$pid" 2>/dev/null && kills_agent=$((kills_agent + 1))
      wait "$pid" 2>/dev/null
      echo "chaos: t=$SECONDS SIGKILL agent $agent"
      start_agent "$agent" --slots 2 ;;
    2)  # SIGKILL the coordinator, restart it
      kill -9 "$COORD_PID" 2>/dev/null && kills_coord=$((kills_coord + 1))
      wait "$COORD_PID" 2>/dev/null
      echo "chaos: t=$SECONDS SIGKILL coordinator"
      sleep "0.$((RANDOM % 5))"
      start_coordinator --max-lost-attempts 50 || fail "coordinator restarted" ;;
    3 | 4)  # SIGSTOP an agent for 0.5-3 s (past the heartbeat timeout or not)
      pid=${AGENT_PID[$agent]}
      pause="$((RANDOM % 3)).$((RANDOM % 10))"
      kill -STOP "$pid" 2>/dev/null && stops=$((stops + 1))
      echo "chaos: t=$SECONDS SIGSTOP agent $agent for ${pause}s"
      sleep "$pause"
      kill -CONT "$pid" 2>/dev/null ;;
    *)  # SIGKILL one running trial process (waiting up to 3 s for one to run)
      for _ in $(seq 30); do pgrep -f chaos_trial.py >/dev/null && break; sleep 0.1; done
      victim=$(pgrep -f chaos_trial.py | shuf -n 1 --random-source=<(yes "$RANDOM"))
      if [ -n "$victim" ] && kill -9 "$victim" 2>/dev/null; then
        kills_trial=$((kills_trial + 1))
        echo "chaos: t=$SECONDS SIGKILL trial process $victim"
      fi ;;
  esac
done
echo "chaos: survived $kills_agent agent kills, $kills_coord coordinator kills," \
  "$stops agent stops, $kills_trial trial kills"
((kills_agent > 0)) && pass "an agent was killed" || fail "no agent was killed"
((kills_coord > 0)) && pass "the coordinator was killed" || fail "the coordinator was never killed"
((stops > 0)) && pass "an agent was stopped" || fail "no agent was stopped"
((kills_trial > 0)) && pass "a trial process was killed" || fail "no trial process was killed"

# Calm: every agent running, let the batch finish.
for a in "${AGENTS[@]}"; do kill -CONT "${AGENT_PID[$a]}" 2>/dev/null; done
wait_until 240 batch_ended "$BATCH" || fail "batch ended within 240 s of the last disruption"

salvo runs --all --json >"$WORK/runs.json" 2>"$WORK/runs.err"
expect_code "the store opens and lists runs" 0 $?
salvo compare --json -a >"$WORK/compare.json" 2>/dev/null
cat "$WORK"/coord.log >"$WORK/all-coord.log"

python3 - "$BATCH" "$TRIALS" "$WORK/runs.json" "$WORK/compare.json" "$WORK/all-coord.log" \
  >"$WORK/check.out" 2>&1 <<'PY'
import collections, json, re, sys
batch, want, runs_file, cmp_file, log_file = sys.argv[1:]
want = int(want)
runs = json.load(open(runs_file))
mine = [r for r in runs if r.get("batch_id", "").startswith(batch) and r["kind"] == "trial"]
b = [r for r in runs if r["id"].startswith(batch)][0]
problems = []
def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok: problems.append(what)
check(len(mine) == want, f"{want} trials in the batch (got {len(mine)})")
idx = [r["trial_index"] for r in mine]
check(len(set(idx)) == len(idx), "trial indexes are distinct")
check(b["trials_created"] == want, f"batch created {want} trials (got {b['trials_created']})")
statuses = collections.Counter(r["status"] for r in mine)
print("statuses:", dict(statuses))
check(statuses.get("running", 0) == 0 and statuses.get("pending", 0) == 0,
      "no trial is shown running or pending")
check(b["status"] != "running", f"the batch is not running (status {b['status']})")
unexplained = [r["id"][:8] for r in mine if r["status"] != "completed" and not r.get("reason")]
check(not unexplained, f"every trial not completed has a reason {unexplained}")
# The model saw the history: every trial is a random start or model-guided, and with 200
# trials most are guided.
guided = b.get("guided_trials", 0); random_starts = b.get("random_trials", 0)
check(guided + random_starts == want,
      f"random starts + guided = {want} (got {random_starts} + {guided})")
check(guided >= want // 2, f"most trials are model-guided ({guided})")
# Results belong to their trials: loss == x*x*1000 for each completed trial.
rows = json.load(open(cmp_file))
rows = rows.get("rows", rows) if isinstance(rows, dict) else rows
wrong = 0; seen = 0
for row in rows:
    rid = str(row.get("run", row.get("id", "")))
    flags = row.get("flags", row)
    x = flags.get("x"); loss = row.get("loss", (row.get("scalars") or {}).get("loss"))
    if x is None or loss is None: continue
    seen += 1
    if abs(float(loss) - float(x) ** 2 * 1000.0) > 1e-3 * max(1.0, abs(float(loss))): wrong += 1
completed = statuses.get("completed", 0)
check(seen >= completed, f"every completed trial has its loss ({seen} of {completed})")
check(wrong == 0, f"every loss matches its trial's flags ({wrong} wrong)")
# Each trial's result was applied once: across every coordinator's lifetime, no trial is
# logged as completed twice.
done = collections.Counter(re.findall(r"Trial ([0-9a-f]+) completed", open(log_file).read()))
twice = [t for t, n in done.items() if n > 1]
check(not twice, f"no trial completed twice in the coordinator logs {twice}")
check(len(done) == completed,
      f"the coordinators logged each completed trial ({len(done)} of {completed})")
sys.exit(1 if problems else 0)
PY
rc=$?
cat "$WORK/check.out"
expect_code "chaos invariants hold" 0 $rc
salvo stop -y >/dev/null 2>&1
kill "$COORD_PID" 2>/dev/null
wait "$COORD_PID" 2>/dev/null
# The store opens cleanly without the coordinator and holds what the coordinator showed.
unset SALVO_COORDINATOR
direct=$(salvo runs --all --json 2>"$WORK/direct.err"); rc=$?
expect_code "the store opens directly after the coordinator stopped" 0 "$rc"
expect_eq "the store lists the same runs and statuses" \
  "$(python3 -c 'import json,sys; print(sorted((r["id"], r["status"]) for r in json.load(open(sys.argv[1]))))' "$WORK/runs.json")" \
  "$(echo "$direct" | python3 -c 'import json,sys; print(sorted((r["id"], r["status"]) for r in json.load(sys.stdin)))')"
echo "chaos: seed $SEED"
finish
