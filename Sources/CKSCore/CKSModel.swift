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
  /// Strands whose features are summed.
  public let strand: Strand

  /// Creates a model from its parts.
  public init(
    filterWidth: Int, featureCount: Int, gamma: Double, seed: UInt64, ridge: RidgeModel,
    strand: Strand = .forward
  ) {
    precondition(
      ridge.weights.count == featureCount,
      "model has \(ridge.weights.count) weights, M=\(featureCount)")
    self.filterWidth = filterWidth
    self.featureCount = featureCount
    self.gamma = gamma
    self.seed = seed
    self.ridge = ridge
    self.strand = strand
  }

  /// The filters this model was trained with, redrawn from the seed.
  public func filters() -> RandomFilterBank {
    RandomFilterBank(filterWidth: filterWidth, featureCount: featureCount, gamma: gamma, seed: seed)
  }

  /// A scorer for this model: the n-mer table route when n ≤ `NmerTable.maximumWidth`,
  /// else the direct route (M cosines per window).
  public func scorer(threadCount: Int = 1) -> Scorer {
    Scorer(
      model: self, route: filterWidth <= NmerTable.maximumWidth ? .table : .direct,
      threadCount: threadCount)
  }

  /// Scores sequences with one model, keeping the prepared tables for repeated use.
  public struct Scorer: Sendable {
    /// How scores are computed; both give the same scores up to float rounding.
    public enum Route: String, Sendable {
      /// One lookup per window in a 4^n n-mer table (`NmerTable`).
      case table
      /// M cosines per window, then w · φ(x) + b.
      case direct
    }

    /// The route in use.
    public let route: Route
    let model: CKSModel?
    let featurizer: Featurizer?
    let table: NmerTable?

    /// Prepares `route` (building the n-mer table takes 4^n · M cosines).
    public init(model: CKSModel, route: Route, threadCount: Int = 1) {
      self.model = model
      self.route = route
      switch route {
      case .table:
        table = NmerTable(model: model, threadCount: threadCount)
        featurizer = nil
      case .direct:
        featurizer = Featurizer(filters: model.filters(), strand: model.strand)
        table = nil
      }
    }

    /// Scores from a prepared table (a random-kernel model's stored table).
    public init(model: CKSModel, table: NmerTable) {
      self.model = model
      route = .table
      self.table = table
      featurizer = nil
    }

    /// Scores an exact-kernel model (always through its table).
    public init(exact: ExactModel) {
      model = nil
      route = .table
      table = NmerTable(exact: exact)
      featurizer = nil
    }

    /// Scores w · φ(x) + b of each sequence (higher means more likely bound).
    ///
    /// Deterministic and independent of `threadCount`.
    public func scores(of sequences: [DNASequence], threadCount: Int = 1) -> [Float] {
      if let table { return table.scores(of: sequences, threadCount: threadCount) }
      guard let featurizer, let model else { return [] }
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
