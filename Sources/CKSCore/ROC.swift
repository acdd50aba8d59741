/// Why a ROC metric could not be computed.
public enum ROCError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Scores and labels differ in length.
  case lengthMismatch(scores: Int, labels: Int)
  /// The test set has no positives or no negatives: AUC is undefined.
  case singleClass(positives: Int, negatives: Int)
  /// A score is NaN.
  case nanScore(index: Int)

  public var description: String {
    switch self {
    case .lengthMismatch(let s, let l): "\(s) scores for \(l) labels"
    case .singleClass(let p, let n):
      "ROC AUC needs both classes; the test set has \(p) positives and \(n) negatives"
    case .nanScore(let index): "score \(index) is NaN"
    }
  }
}

/// One point of a ROC curve.
public struct ROCPoint: Equatable, Sendable {
  /// False-positive rate in [0, 1].
  public var falsePositiveRate: Double
  /// True-positive rate in [0, 1].
  public var truePositiveRate: Double

  public init(falsePositiveRate: Double, truePositiveRate: Double) {
    self.falsePositiveRate = falsePositiveRate
    self.truePositiveRate = truePositiveRate
  }
}

/// Receiver operating characteristic: exact AUC and curve points.
public enum ROC {
  /// ROC AUC, exactly: the Mann-Whitney statistic with ties counted one half.
  /// ```
  /// AUC = (#{(p, n): s_p > s_n} + ½ #{(p, n): s_p = s_n}) / (P · N)
  /// ```
  /// - Throws: `ROCError` for a single-class set, NaN scores or mismatched lengths.
  /// - Complexity: O(n log n).
  public static func auc(scores: [Float], labels: [Bool]) throws(ROCError) -> Double {
    let groups = try tiedGroups(scores: scores, labels: labels)
    let positives = groups.reduce(0) { $0 + $1.positives }
    let negatives = groups.reduce(0) { $0 + $1.negatives }
    var negativesBelow = 0
    var twiceWins = 0  // exact integer arithmetic: 2·wins + ties
    for group in groups {
      twiceWins += 2 * group.positives * negativesBelow + group.positives * group.negatives
      negativesBelow += group.negatives
    }
    return Double(twiceWins) / (2 * Double(positives) * Double(negatives))
  }

  /// Weighted ROC AUC: each (positive, negative) pair counts w_p · w_n, ties one half.
  /// ```
  /// AUC = Σ_{p,n} w_p w_n ([s_p > s_n] + ½ [s_p = s_n]) / (Σ_p w_p · Σ_n w_n)
  /// ```
  /// With all weights 1 it is `auc(scores:labels:)`.
  /// - Throws: as `auc(scores:labels:)`.
  public static func auc(
    scores: [Float], labels: [Bool], weights: [Double]
  ) throws(ROCError) -> Double {
    guard weights.count == labels.count else {
      throw .lengthMismatch(scores: weights.count, labels: labels.count)
    }
    let groups = try tiedGroups(scores: scores, labels: labels) { weights[$0] }
    var negativeWeightBelow = 0.0
    var twiceWins = 0.0
    var positiveTotal = 0.0
    for group in groups {
      twiceWins += 2 * group.positives * negativeWeightBelow + group.positives * group.negatives
      negativeWeightBelow += group.negatives
      positiveTotal += group.positives
    }
    return twiceWins / (2 * positiveTotal * negativeWeightBelow)
  }

  /// The ROC curve from (0, 0) to (1, 1), one point per distinct score, thresholds descending.
  /// - Throws: as `auc(scores:labels:)`.
  public static func curve(scores: [Float], labels: [Bool]) throws(ROCError) -> [ROCPoint] {
    let groups = try tiedGroups(scores: scores, labels: labels)
    let positives = Double(groups.reduce(0) { $0 + $1.positives })
    let negatives = Double(groups.reduce(0) { $0 + $1.negatives })
    var points = [ROCPoint(falsePositiveRate: 0, truePositiveRate: 0)]
    var truePositives = 0
    var falsePositives = 0
    for group in groups.reversed() {
      truePositives += group.positives
      falsePositives += group.negatives
      points.append(
        ROCPoint(
          falsePositiveRate: Double(falsePositives) / negatives,
          truePositiveRate: Double(truePositives) / positives))
    }
    return points
  }

  /// Scores sorted ascending and grouped by equal value, with class counts per group.
  private static func tiedGroups(
    scores: [Float], labels: [Bool]
  ) throws(ROCError) -> [(positives: Int, negatives: Int)] {
    try tiedGroups(scores: scores, labels: labels) { _ in 1 }
  }

  /// Scores sorted ascending and grouped by equal value, with the summed `weight(index)` of each
  /// class per group.
  private static func tiedGroups<Weight: Numeric>(
    scores: [Float], labels: [Bool], weight: (Int) -> Weight
  ) throws(ROCError) -> [(positives: Weight, negatives: Weight)] {
    guard scores.count == labels.count else {
      throw .lengthMismatch(scores: scores.count, labels: labels.count)
    }
    if let bad = scores.firstIndex(where: { $0.isNaN }) { throw .nanScore(index: bad) }
    let positives = labels.reduce(0) { $0 + ($1 ? 1 : 0) }
    let negatives = labels.count - positives
    guard positives > 0, negatives > 0 else {
      throw .singleClass(positives: positives, negatives: negatives)
    }
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var groups = [(positives: Weight, negatives: Weight)]()
    var index = 0
    while index < order.count {
      let value = scores[order[index]]
      var group = (positives: Weight.zero, negatives: Weight.zero)
      while index < order.count, scores[order[index]] == value {
        let i = order[index]
        if labels[i] { group.positives += weight(i) } else { group.negatives += weight(i) }
        index += 1
      }
      groups.append(group)
    }
    return groups
  }
}
