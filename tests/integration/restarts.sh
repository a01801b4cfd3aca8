#!/usr/bin/env bash
# Restarting batches: an interrupted gp search continues model-guided from what it
# loaded, a restart with a shifted range leaves the old trials out with one warning, a
# seeded random search continues its stream, a killed batch's total stays its
# --max-trials, and a killed batch's leftover trial can be stopped and removed.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"
PY=${SALVO_PYTHON:-python3}

cat > slow.py <<'PY'
import time
x = 0.0
time.sleep(0.4)
print("loss: %s" % ((x - 0.3) ** 2))
PY
cat > quick.py <<'PY'
x = 0.0
print("loss: %s" % ((x - 12.5) ** 2))
PY

# Waits (up to 20 s) until at least $1 trials of slow.py have completed.
wait_completed() {
  for _ in $(seq 1 400); do
    n=$(salvo runs --all --completed 2>/dev/null | grep -c 'slow.py ' || true)
    [ "$n" -ge "$1" ] && return 0
    sleep 0.05
  done
  return 1
}

# The x values of the trials of batch $1, one per line, in creation order.
trial_xs() {
  salvo runs --all --json | "$PY" -c '
import json, sys
runs = [r for r in json.load(sys.stdin) if r["kind"] == "trial" and r["batch_id"] == sys.argv[1]]
runs.sort(key=lambda r: r["trial_index"])
for r in runs:
    v = r["flags"]["x"]
    print(v["f"] if isinstance(v, dict) else v)' "$1"
}

# Interrupted gp search (Ctrl-C after 4 trials): the restart says how many trials it
# loaded, and every new trial is model-guided.
"$SALVO" run slow.py 'x=[-2.0:2.0]' -o gp -m 10 --random-seed 3 -y -q >"$WORK/int.log" 2>&1 &
runner=$!
wait_completed 4
kill -INT "$runner"
wait "$runner"; rc=$?
expect_code "Ctrl-C of the gp batch" 130 "$rc"
batch=$(salvo select -o slow.py+gp)
done_before=$(salvo runs --all --completed | grep -c 'slow.py ')
# The same command again, without --restart, starts a new batch and says so.
out=$(salvo run slow.py 'x=[-2.0:2.0]' -o gp -m 1 -y -q 2>&1 </dev/null)
fresh=$(salvo select -o slow.py+gp)
expect_contains "a fresh command says it starts a new batch" "$out" \
  "Starting a new batch ${fresh:0:8}; batch ${batch:0:8} of slow.py+gp is terminated (salvo run --restart ${batch:0:8} continues it)"
salvo runs rm -y "$fresh" "$(salvo select -o slow.py)" >/dev/null 2>&1
out=$(salvo run --restart "$batch" -y -q 2>&1 </dev/null); rc=$?
expect_code "restart of the interrupted gp batch" 0 "$rc"
expect_contains "restart says how far the batch got" "$out" \
  "Restarting batch ${batch:0:8}: $done_before of 10 done"
expect_contains "restart says how many trials it loaded" "$out" \
  "Loaded $done_before previous trial(s) for the optimizer"
expect_contains "no random start after the restart" "$out" "3 random / 7 guided"
expect_eq "the restarted batch has ten trials" 10 "$(trial_xs "$batch" | wc -l | tr -d ' ')"
expect_eq "all ten completed" 10 "$(salvo runs --all --completed | grep -c 'slow.py ')"

# A restart with a shifted range: the old trials are left out with one warning giving
# their count, and the new trials lie in the new range.
out=$(salvo run quick.py 'x=[1.0:10.0]' -o gp -m 4 --random-seed 1 -y -q 2>&1); rc=$?
expect_code "gp batch on [1, 10]" 0 "$rc"
batch=$(salvo select -o quick.py+gp)
out=$(salvo run --restart "$batch" 'x=[11.0:20.0]' -m 4 -y -q 2>&1); rc=$?
expect_code "restart with a shifted range" 0 "$rc"
expect_contains "out-of-range history left out with its count" "$out" \
  "4 earlier trial(s) do not fit the search space and are left out"
expect_eq "the warning is given once" 1 \
  "$(echo "$out" | grep -c '^warning: .*do not fit the search space')"
expect_not_contains "no traceback or internal error" "$out" "rror"
in_range=$(trial_xs "$batch" | tail -n 4 | awk '$1 >= 11 && $1 <= 20' | wc -l | tr -d ' ')
expect_eq "the four new trials lie in [11, 20]" 4 "$in_range"

# A seeded random search restarted to 10 trials continues its stream: trials 6-10 differ
# from trials 1-5.
salvo run quick.py 'x=[-2.0:2.0]' -o random -m 5 --random-seed 7 -y -q >/dev/null 2>&1
batch=$(salvo select -o quick.py+random)
out=$(salvo run --restart "$batch" -m 5 -y -q 2>&1); rc=$?
expect_code "restart of a finished random batch" 0 "$rc"
xs=$(trial_xs "$batch")
expect_eq "ten random trials" 10 "$(echo "$xs" | wc -l | tr -d ' ')"
expect_eq "no point repeats after the restart" 10 "$(echo "$xs" | sort -u | wc -l | tr -d ' ')"

# SIGKILL of `salvo run` after 4 of 5 trials: --max-trials is the batch's total, so the
# restart runs what was left and the batch ends with 5 trials.
salvo runs rm -y $(salvo select --all -o slow.py) >/dev/null 2>&1
"$SALVO" run slow.py 'x=[-2.0:2.0]' -o gp -m 5 --random-seed 4 -y -q >"$WORK/kill.log" 2>&1 &
runner=$!
wait_completed 4
kill -9 "$runner"
wait "$runner" 2>/dev/null
batch=$(salvo select -o slow.py+gp)
done_before=$(salvo runs --all --completed | grep -c 'slow.py ')
expect_not_contains "nothing shows running after SIGKILL" "$(salvo runs --all)" " running "
out=$(salvo run --restart "$batch" -y -q 2>&1 </dev/null); rc=$?
expect_code "restart after SIGKILL" 0 "$rc"
expect_contains "restart prints the batch's progress against its total" "$out" \
  "$done_before of 5 done"
expect_eq "the batch total stays 5" 5 "$(trial_xs "$batch" | wc -l | tr -d ' ')"
expect_eq "all five completed" 5 "$(salvo runs --all --completed | grep -c 'slow.py ')"

# The trial a SIGKILL left behind shows terminated, and stopping and removing it work.
salvo runs rm -y $(salvo select --all -o slow.py) >/dev/null 2>&1
"$SALVO" run slow.py 'x=[1.0,2.0,3.0]' -y -q >"$WORK/kill2.log" 2>&1 &
runner=$!
wait_for_running
kill -9 "$runner"
wait "$runner" 2>/dev/null
expect_eq "the orphaned trial shows terminated, the rest pending" "pending pending terminated" \
  "$(salvo runs --all --json -o slow.py | "$PY" -c '
import json, sys
print(" ".join(sorted(r["status"] for r in json.load(sys.stdin) if r["kind"] == "trial")))')"
orphan=$(salvo runs --all --json -o slow.py | "$PY" -c '
import json, sys
print([r["id"] for r in json.load(sys.stdin) if r["status"] == "terminated" and r["kind"] == "trial"][0])')
out=$(salvo stop "$orphan" 2>&1); rc=$?
expect_code "stopping the orphaned trial" 0 "$rc"
out=$(salvo runs rm -y "$orphan" 2>&1); rc=$?
expect_code "removing the orphaned trial" 0 "$rc"
expect_eq "the orphaned trial is gone" "" "$(salvo runs --all | grep "${orphan:0:8}")"
finish
