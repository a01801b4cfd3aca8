#!/usr/bin/env bash
# Dispatch through a coordinator: a coordinator and AGENTS agents with SLOTS slots each on
# loopback run a grid of TRIALS trials of an operation that does nothing (/bin/echo of
# its objective). Prints the end-to-end trials per second, the coordinator's CPU time per
# trial, and the same batch run locally with -j AGENTS*SLOTS for comparison. Then IDLE
# idle agents (one process, salvo_bench_idle_agents) connect and the coordinator's CPU
# use for their heartbeats is measured over IDLE_SECONDS.
#
# Usage: bench/dispatch/run.sh [SALVO_BIN]       (default: build/coordinator/salvo)
#
# Environment (defaults in brackets): AGENTS [4], SLOTS [4], TRIALS [2000], IDLE [1000],
# IDLE_SECONDS [10], MODE [all] (or `throughput`, `idle`), FOLLOW [1] (0: submit with
# --background and wait for the coordinator's log to say the batch ended), IDLE_BIN
# [build/bench/dispatch/salvo_bench_idle_agents]. Prints figures; asserts no timing.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
salvo=$(realpath "${1:-$root/build/coordinator/salvo}")  # the script changes folders
idle_bin=${IDLE_BIN:-$root/build/bench/dispatch/salvo_bench_idle_agents}
agents=${AGENTS:-4}
slots=${SLOTS:-4}
trials=${TRIALS:-2000}
idle=${IDLE:-1000}
idle_seconds=${IDLE_SECONDS:-10}
mode=${MODE:-all}
follow=${FOLLOW:-1}
if [[ ! -x "$salvo" ]]; then
  echo "dispatch: error: no salvo binary at $salvo (build it or pass its path)" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/salvo-dispatch.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="tcp://127.0.0.1:$port"
hz=$(getconf CLK_TCK)
now() { date +%s.%N; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }  # user + system CPU of a process
wait_for() {  # SECONDS FILE PATTERN [COUNT]
  local end=$((SECONDS + $1))
  local n
  while ((SECONDS < end)); do
    n=$(grep -c -- "$3" "$2" 2>/dev/null) || n=0
    ((n >= ${4:-1})) && return 0
    sleep 0.05
  done
  echo "dispatch: error: '$3' did not appear in $2" >&2
  cat "$2" >&2
  exit 1
}

mkdir -p "$work/proj"
cd "$work/proj"
cat >salvo.yml <<'YAML'
noop:
  exec: "/bin/echo loss: ${x}"
  flags:
    x:
      default: 0
YAML
grid="x=linspace[0:1:$trials]"
parallel=$((agents * slots))

SALVO_HOME="$work/home" "$salvo" coordinator --bind "$url" >"$work/coord.log" 2>&1 &
coord=$!
pids+=("$coord")
wait_for 10 "$work/coord.log" "serving"

if [[ "$mode" != idle ]]; then
  agent_pids=()
  for ((i = 1; i <= agents; i++)); do
    "$salvo" agent --connect "$url" --name "a$i" --slots "$slots" \
      --home "$work/agents/a$i" >"$work/agent-$i.log" 2>&1 &
    agent_pids+=($!)
    pids+=($!)
  done
  wait_for 10 "$work/coord.log" "joined from" "$agents"

  cpu0=$(ticks "$coord")
  agent_cpu0=0
  for pid in "${agent_pids[@]}"; do agent_cpu0=$((agent_cpu0 + $(ticks "$pid"))); done
  t0=$(now)
  if ((follow)); then
    SALVO_COORDINATOR=$url "$salvo" run noop "$grid" -j "$parallel" -y >"$work/remote.log" 2>&1
  else
    SALVO_COORDINATOR=$url "$salvo" run noop "$grid" -j "$parallel" -y --background \
      >"$work/remote.log" 2>&1
    wait_for 3600 "$work/coord.log" "Batch .* ended"
    grep "Batch .* ended" "$work/coord.log" | tail -n 1 >>"$work/remote.log"
  fi
  t1=$(now)
  cpu1=$(ticks "$coord")
  agent_cpu1=0
  for pid in "${agent_pids[@]}"; do agent_cpu1=$((agent_cpu1 + $(ticks "$pid"))); done
  tail -n 2 "$work/remote.log"

  SALVO_HOME="$work/local" "$salvo" run noop "$grid" -j "$parallel" -y -q \
    >"$work/local.log" 2>&1 </dev/null &
  local_run=$!
  t2=$(now)
  wait "$local_run"
  t3=$(now)
  tail -n 2 "$work/local.log"

  awk -v n="$trials" -v a="$agents" -v s="$slots" -v t0="$t0" -v t1="$t1" \
    -v t2="$t2" -v t3="$t3" -v c="$((cpu1 - cpu0))" -v ac="$((agent_cpu1 - agent_cpu0))" \
    -v hz="$hz" 'BEGIN {
    printf "dispatch: %d trials, %d agents x %d slots: %.1f s, %.0f trials/s end to end\n",
      n, a, s, t1 - t0, n / (t1 - t0)
    printf "dispatch: coordinator CPU %.2f ms per trial; agents CPU %.2f ms per trial\n",
      c * 1000 / hz / n, ac * 1000 / hz / n
    printf "dispatch: the same batch locally with -j %d: %.1f s, %.0f trials/s\n",
      a * s, t3 - t2, n / (t3 - t2)
  }'
  for pid in "${agent_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
fi

if [[ "$mode" != throughput ]]; then
  if [[ ! -x "$idle_bin" ]]; then
    echo "dispatch: error: no $idle_bin (build salvo_bench_idle_agents)" >&2
    exit 2
  fi
  "$idle_bin" --connect "$url" --agents "$idle" >"$work/idle.log" 2>&1 &
  pids+=($!)
  wait_for 60 "$work/idle.log" "joined $idle"
  sleep 2  # let the joins settle
  cpu0=$(ticks "$coord")
  sleep "$idle_seconds"
  cpu1=$(ticks "$coord")
  awk -v n="$idle" -v c="$((cpu1 - cpu0))" -v hz="$hz" -v secs="$idle_seconds" 'BEGIN {
    printf "dispatch: %d idle agents (heartbeat 1000 ms): coordinator CPU %.1f%% of one core\n",
      n, 100 * c / hz / secs
  }'
fi
