#!/usr/bin/env bash
# Fuzz cks's readers with libFuzzer + AddressSanitizer.
#   bash Examples/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (targets: deepbind fasta bed model)
# Defaults: 10 s for each of the four targets (the CI smoke run); use 600 for a real run.
# Seeds come from Tests/Fuzz/corpus/<target> (read-only); new inputs go to .build/fuzz/corpus/<target>.
# A crash stops the run with exit 1 and leaves the input in .build/fuzz/artifacts/; copy it to
# Tests/Fuzz/regressions/<target>/ so the test suite replays it (FuzzRegressionTests) after the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(deepbind fasta bed model)
bash Examples/install-dependencies.sh
# The coverage kinds are spelled out: with --sanitize=fuzzer alone, about half of the builds
# here came out without coverage counters (all modules at once).
build() {
  (cd Tests/Fuzz && swift build -c release --sanitize=fuzzer --sanitize=address \
    -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp 2>&1 \
    | grep -E "error|Build complete" >&2) || true
}
# Whether the readers' object files carry libFuzzer's coverage counters.
instrumented() { nm Tests/Fuzz/.build/release/CKSIO.build/*.o 2>/dev/null | grep sancov >/dev/null; }
echo "building the fuzzer (release, -sanitize=fuzzer,address)..." >&2
build
if ! instrumented; then
  # A stale build from before the coverage flags were spelled out: start again.
  echo "fuzz build lacks coverage instrumentation; rebuilding from scratch" >&2
  rm -rf Tests/Fuzz/.build
  build
fi
binary=Tests/Fuzz/.build/release/cks-fuzz
[ -x "$binary" ] && instrumented || { echo "fuzz build failed (or lacks coverage)" >&2; exit 1; }
mkdir -p .build/fuzz/artifacts
status=0
for target in "${targets[@]}"; do
  mkdir -p ".build/fuzz/corpus/$target" "Tests/Fuzz/regressions/$target"
  log=".build/fuzz/$target.log"
  if CKS_FUZZ_TARGET=$target CKS_FUZZ_GENOME="$PWD/Tests/CKSIOTests/Fixtures/genome.fa" \
    "$binary" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix=".build/fuzz/artifacts/$target-" \
    ".build/fuzz/corpus/$target" "Tests/Fuzz/corpus/$target" "Tests/Fuzz/regressions/$target" >"$log" 2>&1; then
    if ! grep -q "inline 8-bit counters" "$log"; then
      echo "fuzz $target: the binary has no coverage instrumentation; rebuild (rm -rf Tests/Fuzz/.build)" >&2
      status=1
      continue
    fi
    echo "fuzz $target: $(grep -E '^Done' "$log") ($(grep -oE 'cov: [0-9]+' "$log" | tail -1))" >&2
  else
    echo "fuzz $target: FAILED; see $log and .build/fuzz/artifacts/" >&2
    grep -E "ERROR|SUMMARY|Test unit written" "$log" >&2 || true
    status=1
  fi
done
exit $status
