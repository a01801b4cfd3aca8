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
# The tests of `salvo view` (headless browser) and `salvo tensorboard` (an independent
# protobuf decoder).
readonly TEST_TOOL_PACKAGES=(
  chromium chromium-driver curl python3-protobuf protobuf-compiler
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

packages=("${BUILD_PACKAGES[@]}" "${LIBRARY_PACKAGES[@]}" "${TOOL_PACKAGES[@]}"
  "${TEST_TOOL_PACKAGES[@]}")
# npm installs the web view's plotting library; Debian's npm only where none is installed.
if ! command -v npm >/dev/null; then
  packages+=(npm)
fi
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

# The web view's plotting library (coordinator/view/web/package-lock.json pins it), so
# that the build itself needs no network. `npm ci` only when the pinned version is absent.
install_web_assets() {
  local web
  web="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/coordinator/view/web"
  local want have=""
  want=$(node -e 'console.log(require(process.argv[1]).packages["node_modules/echarts"].version)' \
    "$web/package-lock.json")
  if [[ -f "$web/node_modules/echarts/package.json" ]]; then
    have=$(node -e 'console.log(require(process.argv[1]).version)' \
      "$web/node_modules/echarts/package.json")
  fi
  if [[ "$have" == "$want" && -f "$web/node_modules/echarts/dist/echarts.min.js" ]]; then
    return 0
  fi
  echo "install-deps: installing echarts $want with npm ci in $web"
  (cd "$web" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
}

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages are installed"
  install_web_assets
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
install_web_assets
echo "install-deps: done"
