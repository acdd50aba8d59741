#!/usr/bin/env bash
# Installs the C libraries cks links against (Debian/Ubuntu): OpenBLAS, htslib, zlib, pkg-config.
# Does nothing when they are already present. Uses sudo when not run as root.
set -euo pipefail
if pkg-config --exists openblas htslib zlib 2>/dev/null; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install-dependencies: no apt-get here; install OpenBLAS, htslib, zlib and pkg-config by hand" >&2
  echo "  (Homebrew: brew install openblas htslib zlib pkg-config)" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-dependencies: apt-get install libopenblas-dev libhts-dev zlib1g-dev pkg-config" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libopenblas-dev libhts-dev zlib1g-dev pkg-config >/dev/null
