#!/usr/bin/env bash
# Runs the whole test suite (unit, I/O, command and integration tests) on a release build, which
# the command tests need to run the real-data integration test quickly.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Examples/install-dependencies.sh
swift test -c release -Xswiftc -enable-testing 2>&1
