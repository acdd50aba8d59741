#!/usr/bin/env bash
# Regenerates the README's kernel comparison: trains every DeepBind ENCODE _AC set in the given
# folders (default: ../shared/data/deepbind-*) with the random kernel (M=8192), the exact kernel,
# and the exact kernel with both strands, all with n = 8, one shuffle and the grid the table used,
# and tests each model on its _B file. Prints one TSV row per set and setting. About 40 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Examples/install-dependencies.sh
swift build -c release 2>&1 | grep -E "error|Build complete" >&2 || true
cks=.build/release/cks
folders=("$@")
[ ${#folders[@]} -gt 0 ] || folders=(../shared/data/deepbind-jisraeli ../shared/data/deepbind-lab-rasool-TFBS)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'set\tsetting\theldout_auc\ttest_auc\ttrain_s\n'
find "${folders[@]}" -name '*_AC.seq.gz' | sort | while read -r ac; do
  b=${ac/_AC./_B.}
  [ -f "$b" ] || b=${b/\/train\//\/test\/}
  [ -f "$b" ] || { echo "no _B file for $ac" >&2; continue; }
  name=$(basename "$ac" _AC.seq.gz)
  # The table's settings (the defaults before the study in "Choosing the defaults").
  old="--filter-width 8 --shuffles 1 --gamma 0.5,1,2 --lambda 1,10,100,1000,10000"
  for setting in "--kernel random --strand forward $old" "--kernel exact --strand forward $old --top 0 --holdout-from 0" \
    "--kernel exact --strand both $old --top 0 --holdout-from 0"; do
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    $cks train -q -p "$ac" -o "$work/m" $setting > /dev/null
    seconds=$(echo "$(date +%s.%N) - $start" | bc)
    held=$(grep -a '^holdout-auc' "$work/m" | cut -f2)
    auc=$($cks evaluate -q -M "$work/m" "$b" | tail -1 | cut -f4)
    printf '%s\t%s\t%s\t%s\t%.0f\n' "$name" "${setting// /}" "$held" "$auc" "$seconds"
  done
done
