import Dispatch

/// Settings for `Trainer`.
public struct TrainingOptions: Sendable {
  /// Filter width n.
  public var filterWidth = 8
  /// Number of random features M.
  public var featureCount = 8192
  /// Candidate bandwidths γ (each > 0).
  public var gammas: [Double] = [1]
  /// Candidate ridge penalties λ (each ≥ 0).
  public var penalties: [Double] = [100]
  /// Fraction of training groups held out to choose (γ, λ); 0 skips tuning (one pair only).
  public var holdoutFraction = 0.1
  /// Seed of the filters and the hold-out split.
  public var seed: UInt64 = 1
  /// Worker threads for features and BLAS.
  public var threadCount = 1
  /// Sequences per streamed feature chunk.
  public var chunkSize = 2048
  /// Random features or the exact kernel.
  public var kernel = KernelKind.random
  /// Strands counted.
  public var strand = Strand.forward
  /// Exact kernel: CG stops when the relative residual is below this.
  public var tolerance = 1e-6

  public init() {}
}

/// One (γ, λ) pair of the tuning grid and its held-out AUC (nil if it could not be fitted).
public struct GridResult: Sendable, Equatable {
  public var gamma: Double
  public var penalty: Double
  public var holdoutAUC: Double?
  /// Why the fit failed, if it did.
  public var failure: String?
}

/// The outcome of training.
public struct TrainingResult: Sendable {
  /// The final model, refitted on all training sequences with the chosen (γ, λ).
  public var model: TrainedModel
  /// Every grid point, in grid order (γ outer, λ inner).
  public var grid: [GridResult]
  /// Held-out AUC of the chosen pair (nil without a hold-out).
  public var holdoutAUC: Double?
  /// Sequences used for fitting vs held out during tuning.
  public var trainingCount: Int
  public var holdoutCount: Int
  /// Where the time went.
  public var profile: TrainingProfile
}

/// Time and work per training stage, summed over the grid.
public struct TrainingProfile: Sendable {
  /// Seconds computing random features.
  public var featureSeconds = 0.0
  /// Cosines evaluated (windows × M).
  public var cosineCount = 0.0
  /// Seconds folding features into the Gram matrix.
  public var gramSeconds = 0.0
  /// Floating-point operations of the Gram updates (N · M · (M + 1)).
  public var gramFlops = 0.0
  /// Seconds in Cholesky solves (random kernel) or conjugate gradients (exact kernel).
  public var solveSeconds = 0.0
  /// Exact kernel: CG iterations, summed over all solves.
  public var iterations = 0

  public init() {}
}

/// Wall-clock seconds since creation (monotonic).
public struct Stopwatch: Sendable {
  let start = DispatchTime.now().uptimeNanoseconds

  public init() {}

  /// Seconds elapsed.
  public var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}

/// Why training failed.
public enum TrainingError: Error, Sendable, CustomStringConvertible {
  case emptyGrid
  case singleClass(positives: Int, negatives: Int)
  case holdoutNeedsBothClasses(fraction: Double)
  case gridWithoutHoldout
  case noUsableGridPoint([GridResult])
  case ridge(RidgeError)

  public var description: String {
    switch self {
    case .emptyGrid: "the gamma and lambda lists must not be empty"
    case .singleClass(let p, let n):
      "training needs positives and negatives; got \(p) positives and \(n) negatives"
    case .holdoutNeedsBothClasses(let fraction):
      "the held-out fraction \(fraction) does not hold both classes; use a larger --holdout"
    case .gridWithoutHoldout:
      "several gamma/lambda values need a held-out fraction (--holdout > 0) to choose between them"
    case .noUsableGridPoint(let grid):
      "no (gamma, lambda) pair could be fitted: " + (grid.first?.failure ?? "unknown reason")
    case .ridge(let error): error.description
    }
  }
}

/// Trains CKS models: streamed random features, exact ridge, hold-out tuning of (γ, λ).
public struct Trainer: Sendable {
  public let options: TrainingOptions
  let log: LogSink

  /// - Parameter log: receives progress (`.info`) and detail (`.debug`).
  public init(options: TrainingOptions, log: @escaping LogSink = silentLog) {
    self.options = options
    self.log = log
  }

  /// Trains on `sequences` with binary `labels`.
  ///
  /// Sequences sharing a `group` id (a positive and its shuffles) go to the same side of the
  /// hold-out split. The split is drawn from the seed; the final model is refitted on all data.
  /// For each γ the features are computed once; all λ share one Gram matrix.
  /// - Throws: `TrainingError`.
  public func train(
    sequences: [DNASequence], labels: [Bool], groups: [Int]
  ) throws(TrainingError) -> TrainingResult {
    precondition(sequences.count == labels.count && labels.count == groups.count, "length mismatch")
    guard !options.gammas.isEmpty, !options.penalties.isEmpty else { throw .emptyGrid }
    let positives = labels.reduce(0) { $0 + ($1 ? 1 : 0) }
    guard positives > 0, positives < labels.count else {
      throw .singleClass(positives: positives, negatives: labels.count - positives)
    }
    let gridSize = options.gammas.count * options.penalties.count
    if options.holdoutFraction <= 0 && gridSize > 1 { throw .gridWithoutHoldout }
    // Our own threads split the work; OpenBLAS stays single-threaded so results are bit-identical
    // for every thread count.
    BLAS.setThreadCount(1)

    let isHeldOut = holdoutMask(groups: groups)
    let fitIndices = sequences.indices.filter { !isHeldOut[$0] }
    let holdIndices = sequences.indices.filter { isHeldOut[$0] }
    if !holdIndices.isEmpty {
      let heldPositives = holdIndices.reduce(0) { $0 + (labels[$1] ? 1 : 0) }
      guard heldPositives > 0, heldPositives < holdIndices.count else {
        throw .holdoutNeedsBothClasses(fraction: options.holdoutFraction)
      }
    }
    if options.kernel == .exact {
      return try trainExact(
        sequences: sequences, labels: labels, fitIndices: fitIndices, holdIndices: holdIndices)
    }
    log(
      .info,
      "training on \(fitIndices.count) sequences, \(holdIndices.count) held out; "
        + "n=\(options.filterWidth) M=\(options.featureCount), \(gridSize) (gamma, lambda) pairs")

    var grid = [GridResult]()
    var profile = TrainingProfile()
    var best: (auc: Double, gamma: Double, penalty: Double, regression: RidgeRegression)?
    for gamma in options.gammas {
      let stage = "gamma \(format(gamma))"
      let featurizer = Featurizer(
        filters: RandomFilterBank(
          filterWidth: options.filterWidth, featureCount: options.featureCount, gamma: gamma,
          seed: options.seed), strand: options.strand)
      var regression = RidgeRegression(featureCount: options.featureCount)
      accumulate(
        fitIndices, into: &regression, sequences: sequences, labels: labels,
        featurizer: featurizer, profile: &profile, stage: stage)
      if holdIndices.isEmpty {
        // A single pair without tuning: fit directly on everything.
        let penalty = options.penalties[0]
        do {
          let ridge = try timedFit(regression, penalty: penalty, profile: &profile)
          grid.append(GridResult(gamma: gamma, penalty: penalty))
          return TrainingResult(
            model: makeModel(gamma: gamma, ridge: ridge), grid: grid, holdoutAUC: nil,
            trainingCount: fitIndices.count, holdoutCount: 0, profile: profile)
        } catch { throw .ridge(error) }
      }
      // Fit every penalty from the one Gram matrix, then score the held-out part in a second
      // streamed pass (its features are never stored).
      var fits = [(penalty: Double, ridge: RidgeModel?, failure: String?)]()
      for penalty in options.penalties {
        do {
          fits.append((penalty, try timedFit(regression, penalty: penalty, profile: &profile), nil))
        } catch {
          fits.append((penalty, nil, "\(error)"))
          log(.warning, "\(stage) lambda \(format(penalty)): \(error)")
        }
      }
      var holdScores = [[Float]](repeating: [], count: fits.count)
      stream(
        holdIndices, sequences: sequences, featurizer: featurizer, profile: &profile, stage: nil
      ) {
        features, _ in
        for (index, fit) in fits.enumerated() {
          if let ridge = fit.ridge { holdScores[index] += ridge.scores(of: features) }
        }
      }
      let holdLabels = holdIndices.map { labels[$0] }
      var gammaBest: (auc: Double, penalty: Double)?
      for (index, fit) in fits.enumerated() {
        var point = GridResult(gamma: gamma, penalty: fit.penalty, failure: fit.failure)
        if fit.ridge != nil {
          do {
            let auc = try ROC.auc(scores: holdScores[index], labels: holdLabels)
            point.holdoutAUC = auc
            log(.info, "\(stage) lambda \(format(fit.penalty)): held-out AUC \(formatAUC(auc))")
            if auc > (gammaBest?.auc ?? -1) { gammaBest = (auc, fit.penalty) }
          } catch {
            point.failure = "\(error)"
            log(.warning, "\(stage) lambda \(format(fit.penalty)): \(error)")
          }
        }
        grid.append(point)
      }
      if let gammaBest, gammaBest.auc > (best?.auc ?? -1) {
        // Fold the held-out part in, for the final refit on all data.
        accumulate(
          holdIndices, into: &regression, sequences: sequences, labels: labels,
          featurizer: featurizer, profile: &profile, stage: nil)
        best = (gammaBest.auc, gamma, gammaBest.penalty, regression)
      }
    }
    guard let best else { throw .noUsableGridPoint(grid) }
    logChoice(gamma: best.gamma, penalty: best.penalty, auc: best.auc, total: sequences.count)
    do {
      let ridge = try timedFit(best.regression, penalty: best.penalty, profile: &profile)
      return TrainingResult(
        model: makeModel(gamma: best.gamma, ridge: ridge), grid: grid, holdoutAUC: best.auc,
        trainingCount: fitIndices.count, holdoutCount: holdIndices.count, profile: profile)
    } catch { throw .ridge(error) }
  }

  private func logChoice(gamma: Double, penalty: Double, auc: Double, total: Int) {
    log(
      .info,
      "chosen gamma \(format(gamma)) lambda \(format(penalty)) "
        + "(held-out AUC \(formatAUC(auc))); refitting on all \(total) sequences")
  }

  private func makeModel(gamma: Double, ridge: RidgeModel) -> TrainedModel {
    .random(
      CKSModel(
        filterWidth: options.filterWidth, featureCount: options.featureCount, gamma: gamma,
        seed: options.seed, ridge: ridge, strand: options.strand))
  }

  // MARK: - Exact kernel

  /// Exact-kernel training: CG in n-mer space, λ grid in decreasing order with warm starts,
  /// held-out AUC from the n-mer tables, refit on all data warm-started from the chosen fit.
  private func trainExact(
    sequences: [DNASequence], labels: [Bool], fitIndices: [Int], holdIndices: [Int]
  ) throws(TrainingError) -> TrainingResult {
    let n = options.filterWidth
    let hasUnknown = sequences.contains { $0.codes.contains(4) }
    var alphabet = 4
    if hasUnknown {
      var fiveToN = 1.0
      for _ in 0..<n { fiveToN *= 5 }
      if fiveToN <= Double(1 << 24) {
        alphabet = 5
      } else {
        log(.warning, "windows containing N are left out of training (5^\(n) table too large)")
      }
    }
    log(
      .info,
      "exact kernel: training on \(fitIndices.count) sequences, \(holdIndices.count) held out; "
        + "n=\(n), \(alphabet == 4 ? "ACGT" : "ACGTN") table of \(nmerCount(width: n, alphabetSize: alphabet)) n-mers"
    )
    var profile = TrainingProfile()
    let penalties = options.penalties.sorted(by: >)
    func makeSolver(_ indices: [Int]) -> ExactRidge {
      var solver = ExactRidge(
        sequences: indices.map { sequences[$0] }, labels: indices.map { labels[$0] },
        filterWidth: n, alphabetSize: alphabet, strand: options.strand,
        threadCount: options.threadCount)
      solver.tolerance = options.tolerance
      return solver
    }
    func solve(
      _ solver: ExactRidge, gamma: Double, penalty: Double, warm: [Double]?
    ) throws(RidgeError) -> ExactRidge.Solution {
      let clock = Stopwatch()
      let solution = try solver.solve(gamma: gamma, penalty: penalty, warmStart: warm)
      profile.solveSeconds += clock.seconds
      profile.iterations += solution.iterations
      log(
        .debug,
        "gamma \(format(gamma)) lambda \(format(penalty)): \(solution.iterations) CG iterations, "
          + "relative residual \(solution.relativeResidual)")
      if solution.relativeResidual > options.tolerance {
        log(
          .warning,
          "gamma \(format(gamma)) lambda \(format(penalty)): CG stopped at \(solution.iterations) "
            + "iterations with relative residual \(solution.relativeResidual)")
      }
      return solution
    }
    func model(_ solution: ExactRidge.Solution, gamma: Double, penalty: Double) -> ExactModel {
      var table = solution.table.map { Float($0) }
      if options.strand == .both && alphabet == 4 {
        table = (0..<table.count).map {
          table[$0] + table[NmerTable.reverseComplement(ofIndex: $0, width: n)]
        }
      } else if options.strand == .both {
        table = foldStrands5(table, width: n)
      }
      return ExactModel(
        filterWidth: n, alphabetSize: alphabet, gamma: gamma, penalty: penalty,
        strand: options.strand, table: table, intercept: Float(solution.intercept))
    }
    let all = Array(sequences.indices)
    if holdIndices.isEmpty {
      let solver = makeSolver(all)
      do {
        let solution = try solve(
          solver, gamma: options.gammas[0], penalty: options.penalties[0], warm: nil)
        return TrainingResult(
          model: .exact(model(solution, gamma: options.gammas[0], penalty: options.penalties[0])),
          grid: [GridResult(gamma: options.gammas[0], penalty: options.penalties[0])],
          holdoutAUC: nil, trainingCount: all.count, holdoutCount: 0, profile: profile)
      } catch { throw .ridge(error) }
    }
    let fitSolver = makeSolver(fitIndices)
    let holdSequences = holdIndices.map { sequences[$0] }
    let holdLabels = holdIndices.map { labels[$0] }
    var grid = [GridResult]()
    var best: (auc: Double, gamma: Double, penalty: Double, weights: [Double])?
    for gamma in options.gammas {
      var warm: [Double]?
      var points = [Double: GridResult]()
      for penalty in penalties {
        var point = GridResult(gamma: gamma, penalty: penalty)
        do {
          let solution = try solve(fitSolver, gamma: gamma, penalty: penalty, warm: warm)
          warm = solution.weights
          let scores = NmerTable(exact: model(solution, gamma: gamma, penalty: penalty))
            .scores(of: holdSequences, threadCount: options.threadCount)
          let auc = try ROC.auc(scores: scores, labels: holdLabels)
          point.holdoutAUC = auc
          log(
            .info,
            "gamma \(format(gamma)) lambda \(format(penalty)): held-out AUC \(formatAUC(auc)) "
              + "(\(solution.iterations) CG iterations)")
          if auc > (best?.auc ?? -1) { best = (auc, gamma, penalty, solution.weights) }
        } catch {
          point.failure = "\(error)"
          log(.warning, "gamma \(format(gamma)) lambda \(format(penalty)): \(error)")
        }
        points[penalty] = point
      }
      grid += options.penalties.compactMap { points[$0] }
    }
    guard let best else { throw .noUsableGridPoint(grid) }
    logChoice(gamma: best.gamma, penalty: best.penalty, auc: best.auc, total: sequences.count)
    do {
      let solution = try solve(
        makeSolver(all), gamma: best.gamma, penalty: best.penalty, warm: best.weights)
      return TrainingResult(
        model: .exact(model(solution, gamma: best.gamma, penalty: best.penalty)), grid: grid,
        holdoutAUC: best.auc, trainingCount: fitIndices.count, holdoutCount: holdIndices.count,
        profile: profile)
    } catch { throw .ridge(error) }
  }

  private func timedFit(
    _ regression: RidgeRegression, penalty: Double, profile: inout TrainingProfile
  ) throws(RidgeError) -> RidgeModel {
    let clock = Stopwatch()
    defer { profile.solveSeconds += clock.seconds }
    return try regression.fit(penalty: penalty)
  }

  /// Folds the features of `indices` into `regression`, chunk by chunk.
  private func accumulate(
    _ indices: [Int], into regression: inout RidgeRegression, sequences: [DNASequence],
    labels: [Bool], featurizer: Featurizer, profile: inout TrainingProfile, stage: String?
  ) {
    var gramSeconds = 0.0
    var gramFlops = 0.0
    let m = Double(options.featureCount)
    stream(indices, sequences: sequences, featurizer: featurizer, profile: &profile, stage: stage) {
      features, chunk in
      let clock = Stopwatch()
      regression.add(
        features, labels: chunk.map { labels[$0] ? 1 : -1 }, threadCount: options.threadCount)
      gramSeconds += clock.seconds
      gramFlops += Double(features.rowCount) * m * (m + 1)
    }
    profile.gramSeconds += gramSeconds
    profile.gramFlops += gramFlops
  }

  /// Computes features of `indices` chunk by chunk and hands each chunk to `body`.
  ///
  /// Only one chunk (`chunkSize × M` floats) is alive at a time.
  private func stream(
    _ indices: [Int], sequences: [DNASequence], featurizer: Featurizer,
    profile: inout TrainingProfile, stage: String?,
    _ body: (Matrix, ArraySlice<Int>) -> Void
  ) {
    var start = 0
    var lastReport = 0
    // One feature buffer for all chunks: no 64 MB allocation (and page faults) per chunk.
    var features = Matrix(rowCount: 0, columnCount: options.featureCount)
    while start < indices.count {
      let end = min(indices.count, start + options.chunkSize)
      let chunk = indices[start..<end]
      let clock = Stopwatch()
      let batch = chunk.map { sequences[$0] }
      if features.rowCount != batch.count {
        features = Matrix(rowCount: batch.count, columnCount: options.featureCount)
      }
      featurizer.writeFeatures(of: batch, into: &features, threadCount: options.threadCount)
      profile.featureSeconds += clock.seconds
      profile.cosineCount += batch.reduce(0.0) {
        $0 + Double(max(0, $1.count - options.filterWidth + 1)) * Double(options.featureCount)
      }
      body(features, chunk)
      start = end
      if let stage, start - lastReport >= 4 * options.chunkSize || start == indices.count {
        log(.info, "\(stage): features and Gram matrix \(start)/\(indices.count) sequences")
        lastReport = start
      }
    }
  }

  /// Marks the held-out sequences: a seeded random subset of groups, `holdoutFraction` of them.
  func holdoutMask(groups: [Int]) -> [Bool] {
    guard options.holdoutFraction > 0 else { return [Bool](repeating: false, count: groups.count) }
    var distinct = Array(Set(groups)).sorted()
    var generator = SplitMix64(seed: options.seed, stream: 0x484F_4C44, index: 0)  // "HOLD"
    var i = distinct.count - 1
    while i > 0 {
      distinct.swapAt(i, generator.nextIndex(below: i + 1))
      i -= 1
    }
    let heldCount = Int((Double(distinct.count) * options.holdoutFraction).rounded())
    let held = Set(distinct.prefix(heldCount))
    return groups.map { held.contains($0) }
  }
}

/// Shortest round-trip text of a grid value (`1`, `0.5`, `1000`).
public func format(_ value: Double) -> String {
  value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
}

/// AUC with four decimals.
public func formatAUC(_ auc: Double) -> String {
  let scaled = (auc * 10000).rounded()
  let whole = Int(scaled) / 10000
  let fraction = Int(scaled) % 10000
  let digits = String(fraction)
  return "\(whole)." + String(repeating: "0", count: 4 - digits.count) + digits
}

/// Folds a 5-letter table over strands: T[m] + T[rc m] (N stays N).
func foldStrands5(_ table: [Float], width n: Int) -> [Float] {
  (0..<table.count).map { index in
    var reverse = 0
    var rest = index
    for _ in 0..<n {
      let digit = rest % 5
      reverse = reverse * 5 + (digit == 4 ? 4 : 3 - digit)
      rest /= 5
    }
    return table[index] + table[reverse]
  }
}
