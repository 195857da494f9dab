#!/usr/bin/env bash
# Installs every Debian 12 package refsim needs to build, test and visualise.
# Idempotent and non-interactive: runs apt-get only when something is missing,
# through sudo when not root. Usage: scripts/install-deps.sh [--no-viz] [PACKAGE ...]
# (extra Debian packages that one tool needs, e.g. python3-simpy for bench/simpy.sh).
set -euo pipefail

packages=(
  g++ make cmake ninja-build pkg-config
  libboost-graph-dev libboost-math-dev libboost-random-dev
  libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libpcg-cpp-dev
  catch2
  libjs-chart.js chromium
  munge slurmctld slurmd slurm-client
  graphviz python3-networkx
  clang libclang-rt-14-dev
  debootstrap dpkg-dev groff-base
)
viz_packages=(libsfml-dev xvfb xauth fonts-dejavu-core xdotool)

viz=1
for arg in "$@"; do
  case "$arg" in
    --no-viz) viz=0 ;;
    -*) echo "refsim: install-deps.sh: unknown option '$arg' (expected --no-viz or package names)" >&2; exit 2 ;;
    *) packages+=("$arg") ;;
  esac
done
if [[ $viz == 1 ]]; then
  packages+=("${viz_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "refsim: installing missing Debian packages: ${missing[*]}" >&2
if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "refsim: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
