#!/usr/bin/env bash
# Accuracy benchmark on DeepBind ENCODE sets: finds every _AC/_B pair in the folders, trains each
# _AC file with `cks train` (default settings, plus $EXTRA for studies), evaluates the model on its
# own _B file and on the _B files of the same TF in other cell types, and writes
#   $OUT/benchmark.tsv   one row per (model, test set)
#   $OUT/benchmark.md    the table beside the peers (DeepBind, LS-GKM) from $PEERS
#   $OUT/benchmark.svg   test AUC per set: cks and the peers
# usage: bash Examples/benchmark.sh [FOLDER...]
#   default folders: ../shared/data/deepbind-jisraeli ../shared/data/deepbind-lab-rasool-TFBS
#   OUT (default out/benchmark), PEERS (default Examples/peers.tsv), EXTRA (extra train options),
#   REPORT_ONLY=1 (redraw the table and figure from an existing $OUT/benchmark.tsv)
# A _B file is looked for beside its _AC file, or in a sibling test/ folder for train/_AC files.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-out/benchmark}
peers=${PEERS:-Examples/peers.tsv}
extra=${EXTRA:-}
folders=("$@")
[ ${#folders[@]} -gt 0 ] || folders=(../shared/data/deepbind-jisraeli ../shared/data/deepbind-lab-rasool-TFBS)
mkdir -p "$out/models"
swift build -c release 2>&1 | grep -E "error|Build complete" >&2 || true
cks=.build/release/cks

results="$out/benchmark.tsv"
if [ -z "${REPORT_ONLY:-}" ]; then
# Pairs: TF, cell, _AC path, _B path (TF and cell are the first two _-separated name fields).
pairs="$out/pairs.tsv"
: >"$pairs"
while IFS= read -r ac; do
  b=${ac/_AC.seq.gz/_B.seq.gz}
  [ -f "$b" ] || b=${b/\/train\//\/test\/}
  [ -f "$b" ] || { echo "benchmark: no _B file for $ac; skipped" >&2; continue; }
  name=$(basename "$ac" _AC.seq.gz)
  printf '%s\t%s\t%s\t%s\n' "${name%%_*}" "$(echo "$name" | cut -d_ -f2)" "$ac" "$b" >>"$pairs"
done < <(find "${folders[@]}" -name '*_AC.seq.gz' | sort)
echo "benchmark: $(wc -l <"$pairs") train/test pairs" >&2

printf 'tf\tcell\ttest_cell\ttraining_sequences\tgamma\tlambda\ttop_weight\theldout_auc\ttest_auc\ttrain_s\n' >"$results.tmp"
while IFS=$'\t' read -r tf cell ac b; do
  model="$out/models/${tf}_${cell}.model"
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  $cks train -q -p "$ac" -o "$model" $extra >/dev/null
  seconds=$(echo "$(date +%s.%N) - $start" | bc)
  field() { grep -a "^$1	" "$model" | head -1 | cut -f2; }
  n=$(($(field training-positives) + $(field training-negatives)))
  settings="$(field gamma)	$(field lambda)	$(field top-weight)	$(field holdout-auc)"
  # Own test set first, then the same TF's test sets from other cell types.
  while IFS=$'\t' read -r tf2 cell2 _ b2; do
    [ "$tf2" = "$tf" ] || continue
    [ "$cell2" = "$cell" ] && [ "$b2" != "$b" ] && continue
    auc=$($cks evaluate -q --model "$model" "$b2" | tail -1 | cut -f4)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%.0f\n' "$tf" "$cell" "$cell2" "$n" "$settings" "$auc" "$seconds"
  done < <(awk -F'\t' -v c="$cell" '{print ($2 == c ? 0 : 1) "\t" $0}' "$pairs" | sort -s -k1,1 | cut -f2-)
  echo "benchmark: $tf $cell done ($(printf '%.0f' "$seconds") s)" >&2
done <"$pairs" >>"$results.tmp"
mv "$results.tmp" "$results"
fi

# Markdown table beside the peers, and the summary against the better peer.
awk -F'\t' -v peersfile="$peers" '
  BEGIN {
    while ((getline line < peersfile) > 0) {
      split(line, p, "\t"); if (p[1] == "tf") continue
      key = p[1] SUBSEP p[2]; db[key] = p[3]; gk[key] = p[4]
    }
    print "| TF | trained in | tested in | training sequences | gamma | lambda | top weight | held-out AUC | cks test AUC | DeepBind | LS-GKM (2k) | better peer | cks - better | train s |"
    print "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  }
  NR == 1 { next }
  {
    key = $1 SUBSEP $3; cross = ($2 != $3)
    d = (cross && !($1 == "ARID3A" && $3 == "HepG2")) ? "" : db[key]
    g = cross ? "" : gk[key]
    better = ""
    if (d != "" || g != "") better = (d + 0 > g + 0) ? d : g
    diff = better == "" ? "" : sprintf("%+.4f", $9 - better)
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, d, g, better, diff, $10
    if (!cross && better != "") {
      sets++; sum += $9; peer += better
      if ($9 >= better) wins++
      if ($9 < better - 0.005) far++
    }
  }
  END {
    if (sets) printf "\nOwn test sets: cks >= the better peer on %d of %d, more than 0.005 below it on %d; mean cks %.4f vs better peer %.4f (%+.4f).\n", wins, sets, far, sum / sets, peer / sets, (sum - peer) / sets
  }' "$results" >"$out/benchmark.md"

# SVG: one column per own test set; dots for cks, DeepBind and LS-GKM.
awk -F'\t' -v peersfile="$peers" '
  BEGIN {
    while ((getline line < peersfile) > 0) {
      split(line, p, "\t"); if (p[1] == "tf") continue
      db[p[1] SUBSEP p[2]] = p[3]; gk[p[1] SUBSEP p[2]] = p[4]
    }
  }
  NR > 1 && $2 == $3 { n++; label[n] = $1 " " $2; ck[n] = $9; d[n] = db[$1 SUBSEP $2]; g[n] = gk[$1 SUBSEP $2] }
  function y(v) { return 60 + (1 - v) / 0.4 * 380 }
  END {
    w = 150 + 60 * n
    if (w < 420) w = 420
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"560\" font-family=\"sans-serif\" font-size=\"12\">\n", w
    print "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"
    print "<text x=\"70\" y=\"24\" font-size=\"15\">Test AUC on DeepBind ENCODE _B sets</text>"
    for (t = 0.6; t <= 1.0001; t += 0.05) {
      printf "<line x1=\"70\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"62\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>\n", w - 20, y(t), y(t), y(t) + 4, t
    }
    for (i = 1; i <= n; i++) {
      x = 70 + 60 * i - 20
      if (d[i] != "") printf "<circle cx=\"%d\" cy=\"%.1f\" r=\"5\" fill=\"#e69f00\"/>\n", x - 10, y(d[i])
      if (g[i] != "") printf "<rect x=\"%d\" y=\"%.1f\" width=\"9\" height=\"9\" fill=\"#56b4e9\"/>\n", x - 4, y(g[i]) - 4.5
      printf "<path d=\"M %d %.1f l 6 10 l -12 0 z\" fill=\"#009e73\"/>\n", x + 10, y(ck[i]) - 6
      printf "<text transform=\"translate(%d,452) rotate(45)\">%s</text>\n", x - 6, label[i]
    }
    print "<circle cx=\"76\" cy=\"40\" r=\"5\" fill=\"#e69f00\"/><text x=\"86\" y=\"44\">DeepBind</text>"
    print "<rect x=\"156\" y=\"35\" width=\"9\" height=\"9\" fill=\"#56b4e9\"/><text x=\"170\" y=\"44\">LS-GKM (2k)</text>"
    print "<path d=\"M 266 34 l 6 10 l -12 0 z\" fill=\"#009e73\"/><text x=\"276\" y=\"44\">cks</text>"
    print "</svg>"
  }' "$results" >"$out/benchmark.svg"
cat "$out/benchmark.md"
