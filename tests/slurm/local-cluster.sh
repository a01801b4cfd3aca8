#!/usr/bin/env bash
# Starts, stops and reports a one-node Slurm cluster on this machine, for the Slurm tests.
#
# Usage: tests/slurm/local-cluster.sh start|stop|status
#
#   start   starts munged, slurmctld and slurmd (each only if not running) and waits
#           until the node `localhost` accepts jobs. Rewrites /etc/slurm/slurm.conf from
#           what `slurmd -C` reports, and restarts the Slurm daemons if that changed it.
#   stop    cancels every job, then stops the daemons by their pid files: TERM, and KILL
#           after 10 s. munged is stopped only if `start` started it.
#   status  prints the daemons and partitions; exits 0 when the cluster is up.
#
# Needs root and the packages of scripts/install-deps.sh; no systemd. State and logs live
# in SLURM_LOCAL_DIR (default /tmp/slurm-local). The script refuses to overwrite a
# slurm.conf it did not write, unless SLURM_LOCAL_FORCE=1.
#
# Partitions (PreemptType=preempt/partition_prio; a job in a higher PriorityTier
# partition preempts jobs of lower tiers, which then follow the PreemptMode of their
# own partition):
#   debug    the default; its jobs are never preempted
#   requeue  jobs here are requeued when preempted (TERM, PENDING, restart, same id)
#   cancel   jobs here are cancelled when preempted (they end PREEMPTED)
#   urgent   high priority; a job here preempts `requeue` and `cancel` jobs to run
set -euo pipefail

readonly STATE_DIR="${SLURM_LOCAL_DIR:-/tmp/slurm-local}"
readonly CONF=/etc/slurm/slurm.conf
readonly CONF_MARKER="# Written by tests/slurm/local-cluster.sh"
readonly MUNGE_KEY=/etc/munge/munge.key
readonly MUNGE_PID=/run/munge/munged.pid
readonly MUNGE_OURS="$STATE_DIR/munged.started-here"
readonly CTLD_PID="$STATE_DIR/slurmctld.pid"
readonly SLURMD_PID="$STATE_DIR/slurmd.pid"
readonly NODE=localhost
readonly WAIT_SECONDS=30
readonly KILL_AFTER_SECONDS=10

log() { echo "local-cluster: $*"; }
die() {
  echo "local-cluster: error: $*" >&2
  exit 1
}

now() { date +%s.%N; }
elapsed_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Prints the pid in PIDFILE when that process is alive and named NAME (its comm, which
# may carry Debian's "-wlm" suffix); prints nothing otherwise.
live_pid() {
  local name=$1 pidfile=$2 pid comm
  # The daemon removes its pid file as it exits, so the file may vanish at any point.
  pid=$(tr -dc '0-9' 2>/dev/null <"$pidfile" || true)
  [[ -n "$pid" && -r "/proc/$pid/comm" ]] || return 0
  # A zombie (state Z) has exited; it lingers where PID 1 does not reap.
  [[ "$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]] || return 0
  comm=$(<"/proc/$pid/comm")
  if [[ "$comm" == "$name" || "$comm" == "$name-wlm" ]]; then
    echo "$pid"
  fi
}

require_tools() {
  ((EUID == 0)) || die "run as root (the daemons and /etc/slurm need it)"
  local tool
  for tool in munged mungekey munge unmunge slurmctld slurmd scontrol sinfo squeue \
    scancel; do
    command -v "$tool" >/dev/null ||
      die "'$tool' not found; install the Slurm packages: scripts/install-deps.sh"
  done
}

# ---------------------------------------------------------------------------------------
# munge

credential_decodes() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

start_munge() {
  if [[ ! -s "$MUNGE_KEY" ]]; then
    log "creating the munge key"
    mkdir -p "$(dirname "$MUNGE_KEY")"
    mungekey --create --keyfile="$MUNGE_KEY"
  fi
  chown munge:munge "$MUNGE_KEY"
  chmod 0400 "$MUNGE_KEY"
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge

  if [[ -n "$(live_pid munged "$MUNGE_PID")" ]] || credential_decodes; then
    return 0
  fi
  # munged refuses to run as root with a key owned by munge, so it runs as munge.
  runuser -u munge -- /usr/sbin/munged --pid-file="$MUNGE_PID"
  touch "$MUNGE_OURS"
  credential_decodes || die "munged started but a credential does not decode"
  log "munged started"
}

# ---------------------------------------------------------------------------------------
# slurm.conf

# Prints the NodeName line for this machine from `slurmd -C`, named $NODE.
node_line() {
  local probe key fields=()
  probe=$(slurmd -C | head -n 1)
  for key in CPUs Boards SocketsPerBoard CoresPerSocket ThreadsPerCore RealMemory; do
    local value
    value=$(grep -o "\b$key=[0-9]*" <<<"$probe" | head -n 1 | cut -d= -f2)
    [[ -n "$value" ]] || die "slurmd -C printed no $key: $probe"
    fields+=("$key=$value")
  done
  echo "NodeName=$NODE NodeAddr=127.0.0.1 ${fields[*]} State=UNKNOWN"
}

# Prints slurm.conf for the node line $1.
render_conf() {
  local partition="Nodes=$NODE MaxTime=INFINITE State=UP"
  cat <<CONF
$CONF_MARKER for the Slurm tests; rewritten on every start.
ClusterName=local
SlurmctldHost=$NODE
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# A requeued job may start again cred_expire + 1 s later (default 120 s), at the next
# scheduling pass: sched_interval and bf_interval (default 60 and 30 s) bound the delay.
AuthInfo=cred_expire=30
StateSaveLocation=$STATE_DIR/ctld
SlurmdSpoolDir=$STATE_DIR/d
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=$STATE_DIR/log/slurmctld.log
SlurmdLogFile=$STATE_DIR/log/slurmd.log
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$STATE_DIR/log/jobcomp.txt
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_interval=2,bf_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
PreemptType=preempt/partition_prio
PreemptMode=REQUEUE
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
MinJobAge=600
KillWait=10
MaxArraySize=10001
MaxJobCount=20000
$1
PartitionName=debug $partition Default=YES PriorityTier=1 PreemptMode=OFF
PartitionName=requeue $partition PriorityTier=1 PreemptMode=REQUEUE
PartitionName=cancel $partition PriorityTier=1 PreemptMode=CANCEL
PartitionName=urgent $partition PriorityTier=10 PreemptMode=OFF
CONF
}

# Writes slurm.conf for the node line $1. Returns 0 when the file changed, 1 when it was
# already current.
write_conf() {
  local wanted
  wanted=$(render_conf "$1")
  local force=${SLURM_LOCAL_FORCE:-0}
  if [[ -e "$CONF" && "$force" != 1 ]] && ! grep -qF "$CONF_MARKER" "$CONF"; then
    die "$CONF was not written by this script; move it away or set SLURM_LOCAL_FORCE=1"
  fi
  if [[ -e "$CONF" && "$(<"$CONF")" == "$wanted" ]]; then
    return 1
  fi
  mkdir -p "$(dirname "$CONF")"
  printf '%s\n' "$wanted" >"$CONF.tmp"
  mv "$CONF.tmp" "$CONF"
  return 0
}

# ---------------------------------------------------------------------------------------
# slurmctld and slurmd

ctld_is_up() { scontrol ping 2>/dev/null | grep -q "is UP"; }

node_state() { sinfo -h -n "$NODE" -o %t 2>/dev/null | head -n 1; }

start_ctld() {
  [[ -z "$(live_pid slurmctld "$CTLD_PID")" ]] || return 0
  /usr/sbin/slurmctld -f "$CONF"
  local deadline=$((SECONDS + WAIT_SECONDS))
  until ctld_is_up; do
    if ((SECONDS >= deadline)); then
      tail -n 20 "$STATE_DIR/log/slurmctld.log" >&2 || true
      die "slurmctld did not answer 'scontrol ping' within $WAIT_SECONDS s"
    fi
    sleep 0.1
  done
  log "slurmctld started"
}

start_slurmd() {
  [[ -z "$(live_pid slurmd "$SLURMD_PID")" ]] || return 0
  # -N: the node is named localhost whatever the host name is.
  /usr/sbin/slurmd -f "$CONF" -N "$NODE"
  log "slurmd started"
}

# Waits until the node can run jobs, resuming it when Slurm holds it down.
wait_for_node() {
  local deadline=$((SECONDS + WAIT_SECONDS)) state=""
  while ((SECONDS < deadline)); do
    state=$(node_state)
    case "$state" in
      idle | mix | alloc | comp) return 0 ;;
      down | drain | drng | fail | down~ | drain~)
        scontrol update NodeName="$NODE" State=RESUME 2>/dev/null || true
        ;;
    esac
    sleep 0.1
  done
  tail -n 20 "$STATE_DIR/log/slurmd.log" >&2 || true
  die "node $NODE is '$state', not idle, after $WAIT_SECONDS s"
}

# Sends TERM to each live daemon (NAME:PIDFILE), then KILL to those still alive after
# KILL_AFTER_SECONDS.
stop_daemons() {
  local spec pids=() pid
  for spec in "$@"; do
    pid=$(live_pid "${spec%%:*}" "${spec#*:}")
    if [[ -n "$pid" ]]; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$spec")
    fi
  done
  local deadline=$((SECONDS + KILL_AFTER_SECONDS))
  while ((SECONDS < deadline)); do
    local alive=0
    for spec in "${pids[@]}"; do
      [[ -z "$(live_pid "${spec%%:*}" "${spec#*:}")" ]] || alive=1
    done
    ((alive)) || return 0
    sleep 0.1
  done
  for spec in "${pids[@]}"; do
    pid=$(live_pid "${spec%%:*}" "${spec#*:}")
    if [[ -n "$pid" ]]; then
      log "${spec%%:*} (pid $pid) ignored TERM for $KILL_AFTER_SECONDS s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

# Cancels every job and waits (up to KillWait and a little) until none is left running.
cancel_all_jobs() {
  local ids
  ids=$(squeue -h -o %F 2>/dev/null | sort -u)
  [[ -n "$ids" ]] || return 0
  log "cancelling jobs: $(tr '\n' ' ' <<<"$ids")"
  # shellcheck disable=SC2086  # one job id per word
  scancel $ids 2>/dev/null || true
  local deadline=$((SECONDS + KILL_AFTER_SECONDS + 5))
  while [[ -n "$(squeue -h -t RUNNING,COMPLETING -o %i 2>/dev/null)" ]]; do
    if ((SECONDS >= deadline)); then
      log "jobs still running after cancel; stopping the daemons anyway"
      return 0
    fi
    sleep 0.2
  done
}

remove_empty_cgroups() {
  local dir
  while IFS= read -r dir; do
    rmdir "$dir" 2>/dev/null || true
  done < <(find /sys/fs/cgroup -maxdepth 4 -type d -name "slurm_$NODE" -empty 2>/dev/null)
}

# ---------------------------------------------------------------------------------------
# commands

cmd_start() {
  local started
  started=$(now)
  require_tools
  mkdir -p "$STATE_DIR/ctld" "$STATE_DIR/d" "$STATE_DIR/log"
  start_munge

  local node
  node=$(node_line)
  if write_conf "$node"; then
    log "wrote $CONF: $node"
    if [[ -n "$(live_pid slurmctld "$CTLD_PID")$(live_pid slurmd "$SLURMD_PID")" ]]; then
      log "configuration changed: restarting the Slurm daemons"
      stop_daemons "slurmd:$SLURMD_PID" "slurmctld:$CTLD_PID"
    fi
  fi

  start_ctld
  start_slurmd
  wait_for_node
  log "cluster up in $(elapsed_since "$started") s (node $NODE: $(node_state))"
}

cmd_stop() {
  local started
  started=$(now)
  require_tools
  if [[ -n "$(live_pid slurmctld "$CTLD_PID")" ]]; then
    cancel_all_jobs
  fi
  stop_daemons "slurmd:$SLURMD_PID" "slurmctld:$CTLD_PID"
  if [[ -e "$MUNGE_OURS" ]]; then
    stop_daemons "munged:$MUNGE_PID"
    rm -f "$MUNGE_OURS"
  fi
  remove_empty_cgroups
  log "cluster stopped in $(elapsed_since "$started") s"
}

cmd_status() {
  local name pidfile pid up=1
  for name in munged slurmctld slurmd; do
    case "$name" in
      munged) pidfile=$MUNGE_PID ;;
      slurmctld) pidfile=$CTLD_PID ;;
      slurmd) pidfile=$SLURMD_PID ;;
    esac
    pid=$(live_pid "$name" "$pidfile")
    if [[ -n "$pid" ]]; then
      log "$name running (pid $pid)"
    else
      log "$name not running"
      up=0
    fi
  done
  if ((up)) && ctld_is_up; then
    sinfo
    return 0
  fi
  return 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
