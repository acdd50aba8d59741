/// The kernel a model approximates or uses exactly.
public enum KernelKind: String, Sendable, CaseIterable {
  /// M random convolutional features (thesis Algorithm 2).
  case random
  /// The exact convolutional n-gram kernel, solved in n-mer space (the M → ∞ limit).
  case exact
}

/// A model trained with the exact kernel: an n-mer table and an intercept.
public struct ExactModel: Sendable, Equatable {
  /// The widest n the exact kernel trains (a 4^12 table of 16.8M entries).
  public static let maximumWidth = 12

  /// Filter width n.
  public let filterWidth: Int
  /// 4 (ACGT) or 5 (ACGTN, when the training data held ambiguity codes).
  public let alphabetSize: Int
  /// Kernel bandwidth γ.
  public let gamma: Double
  /// Ridge penalty λ.
  public let penalty: Double
  /// Strands counted.
  public let strand: Strand
  /// Score of each n-mer (q^n entries, base-q index, first base most significant), with both
  /// strands folded in for `.both`.
  public let table: [Float]
  /// Intercept b.
  public let intercept: Float

  public init(
    filterWidth: Int, alphabetSize: Int, gamma: Double, penalty: Double, strand: Strand,
    table: [Float], intercept: Float
  ) {
    let indexing = NmerIndexing(width: filterWidth, alphabetSize: alphabetSize)
    precondition(
      table.count == indexing.count, "table has \(table.count) entries, expected \(indexing.count)")
    self.filterWidth = filterWidth
    self.alphabetSize = alphabetSize
    self.gamma = gamma
    self.penalty = penalty
    self.strand = strand
    self.table = table
    self.intercept = intercept
  }
}

/// A trained model of either kernel.
public enum TrainedModel: Sendable, Equatable {
  case random(CKSModel)
  case exact(ExactModel)

  /// The kernel.
  public var kernel: KernelKind {
    switch self {
    case .random: .random
    case .exact: .exact
    }
  }

  /// Filter width n.
  public var filterWidth: Int {
    switch self {
    case .random(let model): model.filterWidth
    case .exact(let model): model.filterWidth
    }
  }

  /// Kernel bandwidth γ.
  public var gamma: Double {
    switch self {
    case .random(let model): model.gamma
    case .exact(let model): model.gamma
    }
  }

  /// Ridge penalty λ.
  public var penalty: Double {
    switch self {
    case .random(let model): model.ridge.penalty
    case .exact(let model): model.penalty
    }
  }

  /// Strands counted.
  public var strand: Strand {
    switch self {
    case .random(let model): model.strand
    case .exact(let model): model.strand
    }
  }

  /// A scorer (n-mer table route where a table exists or can be built).
  public func scorer(threadCount: Int = 1) -> CKSModel.Scorer {
    switch self {
    case .random(let model): model.scorer(threadCount: threadCount)
    case .exact(let model): CKSModel.Scorer(exact: model)
    }
  }
}
