#!/usr/bin/env bash
# Speed benchmark: trains FOXA1 HepG2 (42,614 DeepBind peaks + one shuffle each = 85,228 sequences,
# n=8, M=8192, one gamma and lambda) at 10k, 20k, 40k and all sequences, each in a fresh process,
# and reports every stage against this machine's ceilings measured in the same run, plus
# prediction throughput. About 2 minutes on 2 cores. Without arguments it benchmarks the random
# kernel (--kernel random --strand forward); arguments replace that (e.g. --kernel exact).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Examples/install-dependencies.sh
swift build -c release 2>&1 | grep -E "error|Build complete" >&2 || true
[ $# -gt 0 ] || set -- --kernel random --strand forward
.build/release/cks bench --sizes 10000,20000,40000,all "$@"
