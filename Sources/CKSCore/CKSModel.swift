/// A trained CKS model: the filter hyperparameters (enough to redraw the filters from the seed)
/// and the ridge solution.
public struct CKSModel: Sendable, Equatable {
  /// Filter width n.
  public let filterWidth: Int
  /// Number of random features M.
  public let featureCount: Int
  /// Kernel bandwidth γ.
  public let gamma: Double
  /// Seed of the filters.
  public let seed: UInt64
  /// The fitted ridge model (λ, weights, intercept).
  public let ridge: RidgeModel

  /// Creates a model from its parts.
  public init(filterWidth: Int, featureCount: Int, gamma: Double, seed: UInt64, ridge: RidgeModel) {
    precondition(
      ridge.weights.count == featureCount,
      "model has \(ridge.weights.count) weights, M=\(featureCount)")
    self.filterWidth = filterWidth
    self.featureCount = featureCount
    self.gamma = gamma
    self.seed = seed
    self.ridge = ridge
  }

  /// The filters this model was trained with, redrawn from the seed.
  public func filters() -> RandomFilterBank {
    RandomFilterBank(filterWidth: filterWidth, featureCount: featureCount, gamma: gamma, seed: seed)
  }

  /// A scorer that keeps the prepared filters for repeated use.
  public func scorer() -> Scorer { Scorer(model: self) }

  /// Scores sequences with one model, reusing the filter tables across calls.
  public struct Scorer: Sendable {
    let model: CKSModel
    let featurizer: Featurizer

    init(model: CKSModel) {
      self.model = model
      featurizer = Featurizer(filters: model.filters())
    }

    /// Scores w · φ(x) + b of each sequence (higher means more likely bound).
    ///
    /// Deterministic and independent of `threadCount`.
    public func scores(of sequences: [DNASequence], threadCount: Int = 1) -> [Float] {
      BLAS.setThreadCount(1)
      var result = [Float]()
      result.reserveCapacity(sequences.count)
      let chunk = 1024
      var start = 0
      while start < sequences.count {
        let end = min(sequences.count, start + chunk)
        let features = featurizer.features(
          of: Array(sequences[start..<end]), threadCount: threadCount)
        result += model.ridge.scores(of: features)
        start = end
      }
      return result
    }
  }
}
