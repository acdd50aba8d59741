#!/usr/bin/env bash
# Quick start: build cks, train a GABPA model on the DeepBind ENCODE training set shipped in Data/
# (6,066 peaks + three dinucleotide shuffles each, default settings: exact kernel, both strands, n=12,
# gamma 1, lambda in {100, 300, 1000}, the 2,000 strongest peaks weighted 3 or alone, chosen on three
# folds of the 500 strongest), then evaluate it on the held-out test set (500 peaks + 500 shuffles).
# About a minute on 2 cores after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Examples/install-dependencies.sh
swift build -c release 2>&1 | grep -E "error|Compiling|Build complete" >&2 || true
cks=.build/release/cks
mkdir -p out
$cks train --positives Data/GABPA_GM12878_GABP_HudsonAlpha_AC.seq.gz -o out/gabpa.model
$cks evaluate --model out/gabpa.model Data/GABPA_GM12878_GABP_HudsonAlpha_B.seq.gz --roc out/gabpa-roc.svg
echo "model: out/gabpa.model   ROC plot: out/gabpa-roc.svg" >&2
