#!/usr/bin/env bash
# Slurm benchmark: trials per second and the time from submission to the trial's start,
# for a batch of short trials run as one job per trial (--backend slurm) and through
# agents that run as Slurm jobs (salvo slurm agents), on the cluster sinfo answers for
# (the one-node test cluster of tests/slurm/start.sh is started, and stopped after, when
# none answers).
#
# Usage: bench/slurm/run.sh [SALVO] [TRIALS] [AGENTS]
#   SALVO   the binary (default build/coordinator/salvo), TRIALS per mode (default 100),
#   AGENTS  agent jobs for the second mode (default 2)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SALVO=$(realpath "${1:-$root/build/coordinator/salvo}")
TRIALS=${2:-100}
AGENTS=${3:-2}
PY=${SALVO_PYTHON:-python3}

started_cluster=0
if ! sinfo -h >/dev/null 2>&1; then
  bash "$root/tests/slurm/start.sh" >/dev/null || { echo "bench/slurm: no Slurm cluster" >&2; exit 1; }
  started_cluster=1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/salvo-bench-slurm.XXXXXX")
coordinator=0 array=
finish() {
  [ -n "$array" ] && scancel "$array" 2>/dev/null
  ((coordinator)) && kill "$coordinator" 2>/dev/null
  ((started_cluster)) && bash "$root/tests/slurm/stop.sh" >/dev/null 2>&1
  rm -rf "$work"
}
trap finish EXIT

mkdir -p "$work/proj"
cd "$work/proj" || exit 1
cat >trial.py <<'PY'
import time
x = 0.0
print("trial_start: %.6f" % time.time())
print("loss: %s" % (x * x))
PY

# Prints "trials/s, median and 90th percentile of submission-to-start" for the newest
# batch in SALVO_HOME, given the batch's wall time in seconds.
report() {
  local mode=$1 wall=$2
  "$SALVO" runs --all --json >"$work/runs.json"
  "$SALVO" compare -t --json -a >"$work/compare.json" 2>/dev/null
  "$PY" - "$mode" "$wall" "$work/runs.json" "$work/compare.json" <<'PYEOF'
import json, statistics, sys
mode, wall, runs_file, cmp_file = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
runs = {r["id"]: r for r in json.load(open(runs_file)) if r["kind"] == "trial"}
rows = json.load(open(cmp_file))
rows = rows.get("rows", rows) if isinstance(rows, dict) else rows
lat = []
for row in rows:
    rid = str(row.get("run", row.get("id", "")))
    start = row.get("trial_start", (row.get("scalars") or {}).get("trial_start"))
    match = [r for i, r in runs.items() if i.startswith(rid)] if rid else []
    if start is None or not match: continue
    lat.append(float(start) - match[0]["started_us"] / 1e6)
done = sum(1 for r in runs.values() if r["status"] == "completed")
lat.sort()
p90 = lat[min(len(lat) - 1, int(0.9 * len(lat)))] if lat else float("nan")
print(f"{mode:<16} {done:>4} trials completed in {wall:7.1f} s: {done / wall:6.2f} trials/s; "
      f"submission to start: median {statistics.median(lat) if lat else float('nan'):.2f} s, "
      f"p90 {p90:.2f} s (n={len(lat)})")
PYEOF
}

echo "bench/slurm: $TRIALS trials per mode, $(sinfo -h -o '%D node(s), %c CPUs each')"

# 1. One job per trial.
export SALVO_HOME=$work/home-jobs
t0=$(date +%s.%N)
"$SALVO" run trial.py "x=[-1.0:1.0]" -o random -m "$TRIALS" --backend slurm -y -q \
  >"$work/jobs.out" 2>&1 || { tail -5 "$work/jobs.out"; exit 1; }
t1=$(date +%s.%N)
report "job per trial" "$(awk "BEGIN{print $t1 - $t0}")"

# 2. Agents as Slurm jobs, pulling trials from a coordinator.
export SALVO_HOME=$work/home-agents
port=$((20000 + $$ % 20000))
url=tcp://127.0.0.1:$port
"$SALVO" coordinator --bind "$url" >"$work/coordinator.log" 2>&1 &
coordinator=$!
sleep 1
a0=$(date +%s.%N)
array=$("$SALVO" slurm agents "$AGENTS" --connect "$url" 2>"$work/agents.log") ||
  { cat "$work/agents.log"; exit 1; }
for _ in $(seq 1 300); do
  [ "$(grep -c 'joined from' "$work/coordinator.log")" -ge "$AGENTS" ] && break
  sleep 0.2
done
a1=$(date +%s.%N)
echo "agents           $AGENTS agent job(s) joined $(awk "BEGIN{printf \"%.1f\", $a1 - $a0}") s after submission"
export SALVO_COORDINATOR=$url
t0=$(date +%s.%N)
"$SALVO" run trial.py "x=[-1.0:1.0]" -o random -m "$TRIALS" -y -q >"$work/agents.out" 2>&1 ||
  { tail -5 "$work/agents.out"; exit 1; }
t1=$(date +%s.%N)
report "agent jobs" "$(awk "BEGIN{print $t1 - $t0}")"
