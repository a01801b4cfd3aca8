# Helpers for the Slurm tests (tests/slurm/*.sh): the integration helpers plus waiting
# on Slurm jobs. A test exits 77 (skipped) when no Slurm cluster answers; start one with
# tests/slurm/start.sh. With SALVO_SLURM_REQUIRED=1 (scripts/test.sh sets it once it has a
# cluster) a missing cluster is a failure instead. Jobs a test leaves behind are cancelled
# when it exits.
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

if ! command -v sbatch >/dev/null || ! sinfo -h >/dev/null 2>&1; then
  if [[ "${SALVO_SLURM_REQUIRED:-0}" == 1 ]]; then
    echo "FAIL: no Slurm cluster answers, and SALVO_SLURM_REQUIRED=1"
    exit 1
  fi
  echo "skip: no Slurm cluster answers (start one with tests/slurm/start.sh)"
  exit 77
fi

slurm_cleanup() {
  # Jobs whose working directory is under this test's WORK.
  local ids
  ids=$(squeue -h -o '%i %Z' 2>/dev/null | awk -v w="$WORK" 'index($2, w) == 1 {print $1}')
  # shellcheck disable=SC2086
  [ -n "$ids" ] && scancel $ids 2>/dev/null
  cleanup
}
trap slurm_cleanup EXIT

# wait_until SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds; 1 on timeout.
wait_until() {
  local limit=$1 deadline
  shift
  deadline=$((SECONDS + limit))
  until "$@"; do
    ((SECONDS >= deadline)) && return 1
    sleep 0.2
  done
}

# The Slurm state of job $1 ("" once Slurm forgot it).
job_state() { squeue -h --states=all -j "$1" -o %T 2>/dev/null | head -n 1; }
job_is() { [ "$(job_state "$1")" == "$2" ]; }

# The job ids recorded in the run directories of this test's runs, one per line.
job_ids() {
  cat "$SALVO_HOME"/runs/*/job-events.jsonl 2>/dev/null |
    sed -n 's/.*"event":"start","job":"\([0-9_]*\)".*/\1/p' | sort -un
}
# Whether at least $1 jobs were recorded.
has_jobs() { [ "$(job_ids | wc -l)" -ge "${1:-1}" ]; }
# Number of job runs started (a requeued job counts once per run).
job_starts() { cat "$SALVO_HOME"/runs/*/job-events.jsonl 2>/dev/null | grep -c '"event":"start"'; }

# The run directory holding job $1's events.
run_dir_of_job() {
  grep -l "\"job\":\"$1\"" "$SALVO_HOME"/runs/*/job-events.jsonl 2>/dev/null |
    head -n 1 | xargs -r dirname
}

# Field $2 of `salvo runs info $1` ("status: completed" -> completed).
info_field() { salvo runs info "$1" 2>/dev/null | sed -n "s/^ *$2: *//p" | head -n 1; }
