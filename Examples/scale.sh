#!/usr/bin/env bash
# Memory at scale: builds 100,000- and 1,000,000-sequence DeepBind files by repeating and
# shuffling the positives of Data/*_AC.seq.gz, then trains (random features, M = 1024, default
# grid; exact kernel, one gamma/lambda) and predicts on each, printing seconds and peak RSS.
#   bash Examples/scale.sh [FOLDER]      (default out/scale; about 15 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/scale}
mkdir -p "$out"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }
swift build -c release 2>&1 | grep -E "error|Build complete" >&2 || true
cks=.build/release/cks
for f in Data/*_AC.seq.gz; do zcat "$f" | tail -n +2; done | awk -F'\t' '$4 == 1' >"$out/rows.tsv"
for n in 100000 1000000; do
  file="$out/scale$n.seq.gz"
  if [ ! -s "$file" ]; then
    # 21 copies of every positive row, shuffled with a fixed random source, first n rows.
    (printf 'FoldID\tEventID\tseq\tBound\n'
      for _ in $(seq 21); do cat "$out/rows.tsv"; done \
        | shuf -n "$n" --random-source=<(yes) | awk -F'\t' -v OFS='\t' '{$2 = "s" NR; print}') \
      | gzip -1 >"$file"
  fi
done
printf 'run\tsequences_in_file\tseconds\tpeak_MB\n'
measure() { # name n command...
  local name=$1 n=$2
  shift 2
  /usr/bin/time -f "%e %M" -o "$out/time.txt" "$@" >/dev/null 2>"$out/$name-$n.log"
  read -r seconds kb <"$out/time.txt"
  printf '%s\t%s\t%s\t%s\n' "$name" "$n" "$seconds" "$((kb / 1024))"
}
for n in 100000 1000000; do
  file="$out/scale$n.seq.gz"
  measure train-random-M1024 $n $cks train -p "$file" -o "$out/random$n.model" --kernel random --features 1024
  measure train-exact $n $cks train -p "$file" -o "$out/exact$n.model" --filter-width 8 --shuffles 1 --top 0 --gamma 1 --lambda 1000 --holdout 0
  measure predict-random $n $cks predict --model "$out/random$n.model" "$file" -o "$out/random$n.tsv"
  measure predict-exact $n $cks predict --model "$out/exact$n.model" "$file" -o "$out/exact$n.tsv"
done
