#!/usr/bin/env bash
# The whole test suite, as CI runs it (about 4 minutes on 2 cores, most of it building):
#  1. every test (unit, I/O, command, integration) on a release build;
#  2. a fuzzing smoke run: each reader under libFuzzer + AddressSanitizer for 10 s;
#  3. the core and I/O tests again under ThreadSanitizer (the parallel kernels live there).
# Each step prints its summary; the script stops at the first failure.
# Longer runs: `bash Examples/fuzz.sh 600`; full sanitizer suites: see README "Testing".
set -euo pipefail
cd "$(dirname "$0")/.."
bash Examples/install-dependencies.sh
echo "== 1/3 tests (release)" >&2
swift test -c release -Xswiftc -enable-testing 2>&1
echo "== 2/3 fuzzing smoke run" >&2
bash Examples/fuzz.sh 10
echo "== 3/3 ThreadSanitizer: core and I/O tests" >&2
swift build -c release --sanitize=thread -Xswiftc -enable-testing --build-tests \
  --scratch-path .build/tsan 2>&1 | grep -E "error|Build complete" >&2 || true
swift test -c release --sanitize=thread -Xswiftc -enable-testing --scratch-path .build/tsan \
  --skip-build --filter "CKSCoreTests|CKSIOTests" 2>&1
