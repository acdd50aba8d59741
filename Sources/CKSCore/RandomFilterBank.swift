/// The random convolution filters and phases of Convolutional Kitchen Sinks (Algorithm 2).
///
/// Filter j is a 4 × n matrix w_j with i.i.d. N(0, γ) entries and phase b_j ~ U(0, 2π):
/// ```
/// w_j ~ N(0, γ I_{4n}),   b_j ~ U(0, 2π),   j = 0..<M
/// ```
/// Sampling order (the contract that makes a seed reproducible): for each filter j in turn,
/// 4n normal draws in position-major order (position l = 0..<n, then base A, C, G, T), then one
/// uniform draw for b_j. Normals come from `SplitMix64.nextStandardNormal()` scaled by √γ and
/// rounded to `Float`. The same (n, M, γ, seed) gives the same filters on every machine.
public struct RandomFilterBank: Sendable {
  /// Filter width n (bases per window).
  public let filterWidth: Int
  /// Number of filters M (= number of features).
  public let featureCount: Int
  /// Kernel bandwidth γ (variance of each filter weight).
  public let gamma: Double
  /// Seed the filters were drawn from.
  public let seed: UInt64
  /// Filter weights, position-major: `weights[(l * 4 + base) * featureCount + j]`.
  public let weights: [Float]
  /// Phases b_j, `featureCount` values in [0, 2π).
  public let phases: [Float]

  /// Draws a filter bank.
  /// - Parameters:
  ///   - filterWidth: n ≥ 1.
  ///   - featureCount: M ≥ 1.
  ///   - gamma: γ > 0.
  ///   - seed: any 64-bit seed.
  public init(filterWidth: Int, featureCount: Int, gamma: Double, seed: UInt64) {
    precondition(filterWidth >= 1, "filterWidth must be >= 1, got \(filterWidth)")
    precondition(featureCount >= 1, "featureCount must be >= 1, got \(featureCount)")
    precondition(gamma > 0 && gamma.isFinite, "gamma must be positive and finite, got \(gamma)")
    self.filterWidth = filterWidth
    self.featureCount = featureCount
    self.gamma = gamma
    self.seed = seed
    var generator = SplitMix64(seed: seed)
    let scale = gamma.squareRoot()
    var weights = [Float](repeating: 0, count: 4 * filterWidth * featureCount)
    var phases = [Float](repeating: 0, count: featureCount)
    for j in 0..<featureCount {
      for row in 0..<(4 * filterWidth) {
        weights[row * featureCount + j] = Float(scale * generator.nextStandardNormal())
      }
      phases[j] = Float(2 * Double.pi * generator.nextUnitDouble())
    }
    self.weights = weights
    self.phases = phases
  }

  /// The filter response w_j · window + b_j of feature `j` at window `start` (plain formula).
  ///
  /// A base with code 4 (N) contributes zero. Used by tests as the reference for the fast kernel.
  public func response(feature j: Int, of sequence: DNASequence, at start: Int) -> Float {
    var sum = phases[j]
    for l in 0..<filterWidth {
      let code = Int(sequence.codes[start + l])
      if code < 4 { sum += weights[(l * 4 + code) * featureCount + j] }
    }
    return sum
  }
}
