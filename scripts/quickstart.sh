#!/usr/bin/env bash
# From a fresh checkout to a first Bayesian search: installs the packages, builds Salvo,
# then tunes x in examples/train.py with 10 trials of the gp optimizer and shows the
# three best trials.
#
# Usage: scripts/quickstart.sh [BUILD_DIR]     (default: build)
#
# Runs are stored in $SALVO_HOME (default ~/.salvo). Installing packages needs root or
# sudo; nothing is installed when they are all present.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build_dir=${1:-build}
if [[ "$build_dir" != /* ]]; then
  build_dir="$root/$build_dir"
fi
export SALVO_HOME=${SALVO_HOME:-$HOME/.salvo}

bash scripts/install-deps.sh --no-slurm
# Only the salvo binary: the tests and benchmarks are for scripts/test.sh.
BUILD_TARGETS=salvo bash scripts/build.sh "$build_dir"

salvo="$build_dir/coordinator/salvo"
if [[ ! -x "$salvo" ]]; then
  echo "quickstart: error: the build made no $salvo" >&2
  exit 1
fi

run() {
  echo
  echo "\$ salvo $*"
  "$salvo" "$@"
}
run run examples/train.py 'x=[-2.0:2.0]' --optimizer gp --max-trials 10 -y
run compare --table --min loss --top 3

cat <<DONE

Runs are in $SALVO_HOME. The salvo binary is $salvo; to call it as \`salvo\`:
  export PATH="$(dirname "$salvo"):\$PATH"
DONE
