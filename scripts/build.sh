#!/usr/bin/env bash
# Configures and builds Salvo with CMake and Ninja.
#
# Usage: scripts/build.sh [BUILD_DIR] [extra cmake arguments...]
#   BUILD_DIR  default: build (relative paths are taken from the repository root)
#   extra arguments go to the configure step after the defaults, so they win, e.g.
#     scripts/build.sh build-debug -DCMAKE_BUILD_TYPE=Debug
#
# Builds RelWithDebInfo with one job per core (JOBS overrides) and prints where the
# `salvo` binary is. BUILD_TARGETS (space separated) builds only those targets.
# ccache is used when installed (the project's CMake picks it up).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${1:-build}
shift || true
if [[ "$build_dir" != /* ]]; then
  build_dir="$root/$build_dir"
fi
jobs=${JOBS:-$(nproc)}

for tool in cmake ninja; do
  command -v "$tool" >/dev/null ||
    { echo "build: error: '$tool' not found; run scripts/install-deps.sh" >&2; exit 1; }
done

echo "build: configuring $build_dir"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"

targets=()
if [[ -n "${BUILD_TARGETS:-}" ]]; then
  read -r -a names <<<"$BUILD_TARGETS"
  targets=(--target "${names[@]}")
fi
echo "build: building ${BUILD_TARGETS:-everything} with $jobs jobs"
cmake --build "$build_dir" --parallel "$jobs" "${targets[@]}"

if [[ -x "$build_dir/coordinator/salvo" ]]; then
  echo "build: salvo is $build_dir/coordinator/salvo"
fi
