#!/usr/bin/env bash
# A gp batch through agents that run as Slurm jobs, with Curve keys: `salvo slurm agents 2`
# submits one job array whose tasks each run `salvo agent` against the coordinator with
# the key pair given to the command; the batch's trials are dispatched to those agents,
# and the agents keep running between trials. Slurm's early-warning signal (USR1) to an
# agent task makes the agent take no more work.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"
cp "$SRC/examples/train.py" .
port=$((20000 + $$ % 20000))
url=tcp://127.0.0.1:$port

keys=$WORK/keys
mkdir -p "$keys"
for who in coord agents client; do salvo keygen --out "$keys/$who" >/dev/null; done
cat "$keys/agents.pub" "$keys/client.pub" >"$keys/allow.pub"
"$SALVO" coordinator --bind "$url" --key "$keys/coord.key" --allow "$keys/allow.pub" \
  >"$WORK/coordinator.log" 2>&1 &
coordinator=$!
wait_until 20 grep -qs . "$WORK/coordinator.log" || fail "the coordinator printed nothing"

array=$(salvo --key "$keys/agents.key" --server-key "$keys/coord.pub" slurm agents 2 \
  --connect "$url" --slots 2 2>"$WORK/agents.log"); rc=$?
expect_code "salvo slurm agents submits" 0 "$rc"
expect_match "it prints the array's job id" "$array" "^[0-9]+$"
tasks_running() { [ "$(squeue -h -j "$array" -t RUNNING -o %i | wc -l)" -eq 2 ]; }
if wait_until 60 tasks_running; then pass "two agent tasks run"; else fail "agents not running"; fi
names=$(squeue -h -j "$array" -o %j | sort -u)
expect_eq "the array is named for what it is" salvo-agents "$names"

out=$(timeout 240 "$SALVO" --coordinator "$url" --key "$keys/client.key" \
  --server-key "$keys/coord.pub" run train.py 'x=[-2.0:2.0]' -o gp -m 6 \
  --random-seed 3 -y -q 2>&1); rc=$?
expect_code "the gp batch completes" 0 "$rc"
[ "$rc" -eq 0 ] || { echo "$out" | tail -5; tail -5 "$WORK/coordinator.log"; }
expect_contains "six trials completed" "$out" "6 trial(s): 6 completed, 0 failed"
log=$(cat "$WORK/coordinator.log")
for task in 0 1; do
  expect_contains "agent task $task joined" "$log" "slurm-${array}_$task"
done
expect_contains "the agents joined with 2 slots each" "$log" "with 2 slot(s)"
expect_not_contains "no connection was refused" "$log" "Refused a connection"
dispatched=$(grep -c "dispatched to agent slurm-${array}_" "$WORK/coordinator.log")
expect_eq "every trial went to a Slurm agent" 6 "$dispatched"
expect_eq "the agents still run after the batch" 2 \
  "$(squeue -h -j "$array" -t RUNNING -o %i | wc -l | tr -d ' ')"

# Slurm's early warning to task 0's agent: it stops taking work, and says so.
scancel --signal=USR1 --batch "${array}_0"
wait_until 20 grep -q "Agent slurm-${array}_0 is stopping (preemption warning)" \
  "$WORK/coordinator.log" && pass "USR1 to an agent job is a preemption warning" ||
  fail "the agent did not report the warning"
expect_eq "the warned agent's job still runs" RUNNING "$(job_state "${array}_0")"

scancel "$array"
kill "$coordinator" 2>/dev/null
wait "$coordinator" 2>/dev/null
finish
