import Testing

@testable import CKSCore

@Suite struct ROCTests {
  @Test func handComputedWithoutTies() throws {
    // Pairs (pos, neg): (0.35 vs 0.1) win, (0.35 vs 0.4) loss, (0.8 vs both) wins: 3/4.
    let auc = try ROC.auc(scores: [0.1, 0.4, 0.35, 0.8], labels: [false, false, true, true])
    #expect(auc == 0.75)
  }

  @Test func handComputedWithTies() throws {
    // Positives {0.5, 0.9}, negatives {0.5, 0.2}: tie 0.5 + wins 1 + 1 + 1 = 3.5 of 4.
    #expect(
      try ROC.auc(scores: [0.5, 0.5, 0.2, 0.9], labels: [true, false, false, true]) == 0.875)
    // All tied: one half.
    #expect(
      try ROC.auc(scores: [1, 1, 1, 1, 1], labels: [true, false, true, false, false]) == 0.5)
    // Three-way ties across classes: positives {2, 2, 3}, negatives {1, 2, 2}.
    // 2 vs 1: 2 wins; 2 vs 2: 4 ties (2.0); 3 vs all: 3 wins. (2 + 2 + 3) / 9 = 7/9.
    let auc = try ROC.auc(
      scores: [2, 2, 3, 1, 2, 2], labels: [true, true, true, false, false, false])
    #expect(abs(auc - 7.0 / 9.0) < 1e-15)
  }

  @Test func weightedAUCMatchesBruteForcePairsAndDuplication() throws {
    // Hand-computed: positives {0.5 (w 2), 0.9 (w 1)}, negatives {0.5 (w 3), 0.2 (w 1)}.
    // 0.5/0.5 tie 2·3·½ = 3, 0.5 > 0.2: 2, 0.9 > both: 3 + 1. (3 + 2 + 4) / (3 · 4) = 0.75.
    let hand = try ROC.auc(
      scores: [0.5, 0.5, 0.2, 0.9], labels: [true, false, false, true], weights: [2, 3, 1, 1])
    #expect(abs(hand - 0.75) < 1e-15)
    var generator = SplitMix64(seed: 11)
    let scores = (0..<300).map { _ in Float(generator.nextIndex(below: 20)) }
    let labels = (0..<300).map { _ in generator.nextIndex(below: 2) == 0 }
    let weights = (0..<300).map { _ in Double(1 + generator.nextIndex(below: 3)) }
    var wins = 0.0
    var total = 0.0
    for p in 0..<300 where labels[p] {
      for q in 0..<300 where !labels[q] {
        let w = weights[p] * weights[q]
        total += w
        wins += scores[p] > scores[q] ? w : (scores[p] == scores[q] ? w / 2 : 0)
      }
    }
    let weighted = try ROC.auc(scores: scores, labels: labels, weights: weights)
    #expect(abs(weighted - wins / total) < 1e-12)
    // Integer weights are copies.
    var copiedScores = [Float]()
    var copiedLabels = [Bool]()
    for i in 0..<300 {
      for _ in 0..<Int(weights[i]) {
        copiedScores.append(scores[i])
        copiedLabels.append(labels[i])
      }
    }
    #expect(abs(weighted - (try ROC.auc(scores: copiedScores, labels: copiedLabels))) < 1e-12)
    #expect(
      try ROC.auc(scores: scores, labels: labels, weights: [Double](repeating: 1, count: 300))
        == (try ROC.auc(scores: scores, labels: labels)))
  }

  @Test func invariantUnderMonotoneTransformAndFlipsWithNegation() throws {
    var generator = SplitMix64(seed: 3)
    let scores = (0..<500).map { _ in Float(generator.nextIndex(below: 50)) / 7 }
    let labels = (0..<500).map { _ in generator.nextIndex(below: 3) == 0 }
    let auc = try ROC.auc(scores: scores, labels: labels)
    let transformed = try ROC.auc(scores: scores.map { $0 * $0 * $0 + 2 }, labels: labels)
    let negated = try ROC.auc(scores: scores.map { -$0 }, labels: labels)
    #expect(auc == transformed)
    #expect(abs(negated - (1 - auc)) < 1e-12)
  }

  @Test func curveRunsCornerToCornerAndItsAreaIsTheAUC() throws {
    let scores: [Float] = [0.9, 0.8, 0.8, 0.5, 0.3, 0.3, 0.1]
    let labels = [true, true, false, true, false, true, false]
    let curve = try ROC.curve(scores: scores, labels: labels)
    #expect(curve.first == ROCPoint(falsePositiveRate: 0, truePositiveRate: 0))
    #expect(curve.last == ROCPoint(falsePositiveRate: 1, truePositiveRate: 1))
    var area = 0.0
    for (a, b) in zip(curve, curve.dropFirst()) {
      area +=
        (b.falsePositiveRate - a.falsePositiveRate) * (a.truePositiveRate + b.truePositiveRate) / 2
    }
    #expect(abs(area - (try ROC.auc(scores: scores, labels: labels))) < 1e-12)
  }

  @Test func singleClassAndNaNAreErrors() {
    #expect(throws: ROCError.singleClass(positives: 2, negatives: 0)) {
      try ROC.auc(scores: [1, 2], labels: [true, true])
    }
    #expect(throws: ROCError.nanScore(index: 1)) {
      try ROC.auc(scores: [1, .nan], labels: [true, false])
    }
    #expect(throws: ROCError.lengthMismatch(scores: 1, labels: 2)) {
      try ROC.auc(scores: [1], labels: [true, false])
    }
  }
}
