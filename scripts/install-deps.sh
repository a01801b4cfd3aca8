#!/usr/bin/env bash
# Installs the Debian 12 packages that Salvo needs to build, test and run its examples.
#
# Usage: scripts/install-deps.sh [--no-slurm]
#   --no-slurm  leave out the Slurm and munge packages (only the Slurm tests need them)
#
# Runs as root, or through sudo otherwise. When every package is installed already it
# changes nothing and skips `apt-get update`, so reruns take well under a second.
# SALVO_EXTRA_PACKAGES (space separated) adds packages to the list.
set -euo pipefail

readonly BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache clang libclang-rt-14-dev
)
readonly LIBRARY_PACKAGES=(
  libzmq3-dev cppzmq-dev libmsgpack-cxx-dev libeigen3-dev librocksdb-dev libboost-dev
  libboost-filesystem-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev
  libbenchmark-dev libcli11-dev nlohmann-json3-dev libyaml-cpp-dev libnlopt-cxx-dev
  libnlopt-dev libsodium-dev libncurses-dev
)
readonly TOOL_PACKAGES=(
  tmux python3 python3-numpy python3-sklearn python3-optuna
)
readonly SLURM_PACKAGES=(
  slurm-wlm slurmctld slurmd slurm-client munge
)

usage() {
  echo "usage: $0 [--no-slurm]" >&2
  exit 2
}

with_slurm=1
for arg in "$@"; do
  case "$arg" in
    --no-slurm) with_slurm=0 ;;
    -h | --help) usage ;;
    *)
      echo "install-deps: unknown argument '$arg'" >&2
      usage
      ;;
  esac
done

packages=("${BUILD_PACKAGES[@]}" "${LIBRARY_PACKAGES[@]}" "${TOOL_PACKAGES[@]}")
if ((with_slurm)); then
  packages+=("${SLURM_PACKAGES[@]}")
fi
if [[ -n "${SALVO_EXTRA_PACKAGES:-}" ]]; then
  read -r -a extra <<<"$SALVO_EXTRA_PACKAGES"
  packages+=("${extra[@]}")
fi

# A package counts as installed only when dpkg reports it fully installed ("ii").
missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null || true)
  if [[ "$status" != ii* ]]; then
    missing+=("$package")
  fi
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages are installed"
  exit 0
fi
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"

as_root=()
if ((EUID != 0)); then
  if ! command -v sudo >/dev/null; then
    echo "install-deps: error: run as root (sudo is not installed)" >&2
    exit 1
  fi
  as_root=(sudo)
fi

# apt waits for a dpkg lock held by another process instead of failing at once.
apt_options=(-y --no-install-recommends -o DPkg::Lock::Timeout=600)
apt_get=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
"${apt_get[@]}" -o DPkg::Lock::Timeout=600 update
"${apt_get[@]}" install "${apt_options[@]}" "${missing[@]}"
echo "install-deps: done"
