# Helpers for the tests that run a coordinator and agents on loopback. Sourced after
# lib.sh. Heartbeats are fast so that timeouts take about a second.
HB_MS=${HB_MS:-200}
TIMEOUT_MS=${TIMEOUT_MS:-1500}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

PORT=$(free_port)
URL="tcp://127.0.0.1:$PORT"
COORD_PID=0

# start_coordinator [extra options...]: starts it in the background, logging to
# $WORK/coord.log (appended), and waits until it answers.
start_coordinator() {
  "$SALVO" coordinator --bind "$URL" --heartbeat-ms "$HB_MS" --timeout-ms "$TIMEOUT_MS" \
    "$@" >>"$WORK/coord.log" 2>&1 &
  COORD_PID=$!
  for _ in $(seq 1 100); do
    grep -q "serving" "$WORK/coord.log" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "coordinator did not start:" >&2
  cat "$WORK/coord.log" >&2
  return 1
}

# start_agent NAME [extra options...]: an agent with its own home (no shared files).
declare -A AGENT_PID
start_agent() {
  local name=$1
  shift
  mkdir -p "$WORK/agents/$name"
  "$SALVO" agent --connect "$URL" --name "$name" --home "$WORK/agents/$name" \
    --heartbeat-ms "$HB_MS" --timeout-ms "$TIMEOUT_MS" "$@" \
    >>"$WORK/agent-$name.log" 2>&1 &
  AGENT_PID[$name]=$!
}

# wait_until SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds.
wait_until() {
  local limit=$1
  shift
  local end=$((SECONDS + limit))
  while ((SECONDS < end)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

agents_joined() {  # COUNT: the coordinator's log shows COUNT agents joined
  [ "$(grep -c 'joined from' "$WORK/coord.log")" -ge "$1" ]
}

# Trials of batch $1 with status $2, from `salvo runs --json`.
count_status() {
  salvo runs --all --json 2>/dev/null | python3 -c '
import json, sys
batch, status = sys.argv[1], sys.argv[2]
runs = json.load(sys.stdin)
print(sum(1 for r in runs if r.get("batch_id") == batch and r.get("status") == status))
' "$1" "$2"
}

batch_status() {
  salvo runs info "$1" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'
}
# Ended for sure: a final status from an answering coordinator (no answer is not an end).
batch_done() { case $(batch_status "$1") in completed | error | terminated) return 0 ;; esac; return 1; }
