#!/usr/bin/env bash
# Installs the Debian packages kubesim needs to build, test and benchmark.
# Idempotent: does nothing when every package is present. Uses sudo when not root.
#
#   scripts/install-deps.sh          # build, tests, benchmarks
#   scripts/install-deps.sh --ns3    # also libns3-dev, for the optional ns-3 peer in bench/engine_bench
set -euo pipefail

packages=(
  g++ cmake ninja-build make python3
  libboost-graph-dev libyaml-cpp-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  catch2 libbenchmark-dev
)
if [[ "${1:-}" == "--ns3" ]]; then
  packages+=(libns3-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
