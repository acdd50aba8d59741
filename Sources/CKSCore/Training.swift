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
  /// Exact kernel: the first `topPositives` positives (in input order: DeepBind files and ranked
  /// peak files list the strongest peaks first) and their shuffles get sample weight
  /// `topWeight`, everything else 1, in the fit and in the held-out AUC. 0 or weight 1: off.
  public var topPositives = 0
  public var topWeight = 1.0

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
  /// Reading the training data failed on a later pass.
  case data(String)

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
    case .data(let message): message
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

  /// Trains on `sequences` with binary `labels`; sequences sharing a `group` id (a positive and
  /// its shuffles) go to the same side of the hold-out split.
  /// - Throws: `TrainingError`.
  public func train(
    sequences: [DNASequence], labels: [Bool], groups: [Int]
  ) throws(TrainingError) -> TrainingResult {
    try train(data: InMemoryTrainingData(sequences: sequences, labels: labels, groups: groups))
  }

  /// Trains on `data`.
  ///
  /// A seeded `holdoutFraction` of the groups is held out to choose (γ, λ); the final model is
  /// refitted on all data. Random kernel: for each γ the data are streamed in chunks whose
  /// features are folded into one Gram matrix shared by all λ (memory independent of the number
  /// of sequences); the held-out part is streamed again to score it. Exact kernel: the data are
  /// packed in memory at 2 bits per base and solved by conjugate gradients.
  /// - Throws: `TrainingError`.
  public func train(data: some TrainingData) throws(TrainingError) -> TrainingResult {
    guard !options.gammas.isEmpty, !options.penalties.isEmpty else { throw .emptyGrid }
    let positives = data.positiveCount
    guard positives > 0, positives < data.count else {
      throw .singleClass(positives: positives, negatives: data.count - positives)
    }
    let gridSize = options.gammas.count * options.penalties.count
    if options.holdoutFraction <= 0 && gridSize > 1 { throw .gridWithoutHoldout }
    // Our own threads split the work; OpenBLAS stays single-threaded so results are bit-identical
    // for every thread count.
    BLAS.setThreadCount(1)
    let heldGroups = holdoutGroups(count: data.groupCount)
    if options.kernel == .exact {
      let packed: InMemoryTrainingData
      do { packed = try InMemoryTrainingData(data) } catch { throw .data("\(error)") }
      return try trainExact(packed, heldGroups: heldGroups)
    }
    return try trainRandom(data, heldGroups: heldGroups)
  }

  /// Which rows a streamed pass featurizes.
  private enum Part { case fit, held, all }

  private func trainRandom(
    _ data: some TrainingData, heldGroups: BitVector
  ) throws(TrainingError) -> TrainingResult {
    let heldCount = heldGroups.setCount
    log(
      .info,
      "training on \(data.count) sequences (\(heldCount) of \(data.groupCount) groups held out); "
        + "n=\(options.filterWidth) M=\(options.featureCount), "
        + "\(options.gammas.count * options.penalties.count) (gamma, lambda) pairs")
    var grid = [GridResult]()
    var profile = TrainingProfile()
    var best: (auc: Double, gamma: Double, penalty: Double, regression: RidgeRegression)?
    var counts = (fit: 0, held: 0)
    for gamma in options.gammas {
      let stage = "gamma \(format(gamma))"
      let featurizer = Featurizer(
        filters: RandomFilterBank(
          filterWidth: options.filterWidth, featureCount: options.featureCount, gamma: gamma,
          seed: options.seed), strand: options.strand)
      var regression = RidgeRegression(featureCount: options.featureCount)
      let fitted = try accumulate(
        data, part: heldCount == 0 ? .all : .fit, heldGroups: heldGroups, into: &regression,
        featurizer: featurizer, profile: &profile, stage: stage)
      counts.fit = fitted
      if heldCount == 0 {
        // A single pair without tuning: fit directly on everything.
        let penalty = options.penalties[0]
        do {
          let ridge = try timedFit(regression, penalty: penalty, profile: &profile)
          grid.append(GridResult(gamma: gamma, penalty: penalty))
          return TrainingResult(
            model: makeModel(gamma: gamma, ridge: ridge), grid: grid, holdoutAUC: nil,
            trainingCount: fitted, holdoutCount: 0, profile: profile)
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
      var holdLabels = [Bool]()
      try stream(
        data, part: .held, heldGroups: heldGroups, featurizer: featurizer, profile: &profile,
        stage: nil
      ) { features, labels in
        holdLabels += labels
        for (index, fit) in fits.enumerated() {
          if let ridge = fit.ridge { holdScores[index] += ridge.scores(of: features) }
        }
      }
      counts.held = holdLabels.count
      let heldPositives = holdLabels.reduce(0) { $0 + ($1 ? 1 : 0) }
      guard heldPositives > 0, heldPositives < holdLabels.count else {
        throw .holdoutNeedsBothClasses(fraction: options.holdoutFraction)
      }
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
        _ = try accumulate(
          data, part: .held, heldGroups: heldGroups, into: &regression, featurizer: featurizer,
          profile: &profile, stage: nil)
        best = (gammaBest.auc, gamma, gammaBest.penalty, regression)
      }
    }
    guard let best else { throw .noUsableGridPoint(grid) }
    logChoice(gamma: best.gamma, penalty: best.penalty, auc: best.auc, total: data.count)
    do {
      let ridge = try timedFit(best.regression, penalty: best.penalty, profile: &profile)
      return TrainingResult(
        model: makeModel(gamma: best.gamma, ridge: ridge), grid: grid, holdoutAUC: best.auc,
        trainingCount: counts.fit, holdoutCount: counts.held, profile: profile)
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
    _ data: InMemoryTrainingData, heldGroups: BitVector
  ) throws(TrainingError) -> TrainingResult {
    let n = options.filterWidth
    var alphabet = 4
    if data.sequences.containsUnknown {
      var fiveToN = 1.0
      for _ in 0..<n { fiveToN *= 5 }
      if fiveToN <= Double(1 << 24) {
        alphabet = 5
      } else {
        log(.warning, "windows containing N are left out of training (5^\(n) table too large)")
      }
    }
    // Per-sequence hold-out flags from the group flags, and the sample weights: a group led by
    // one of the first `topPositives` positives weighs `topWeight`.
    let weighted = options.topPositives > 0 && options.topWeight != 1
    var sampleWeights = [Double]()
    var held = BitVector(capacity: data.count)
    var group = -1
    var positiveGroups = 0
    var groupWeight = 1.0
    var holdLabels = [Bool]()
    var holdWeights = [Double]()
    for index in 0..<data.count {
      if data.groupStarts[index] {
        group += 1
        groupWeight = 1
        if data.labels[index] {
          positiveGroups += 1
          if weighted && positiveGroups <= options.topPositives { groupWeight = options.topWeight }
        }
      }
      held.append(heldGroups[group])
      if weighted { sampleWeights.append(groupWeight) }
      if heldGroups[group] {
        holdLabels.append(data.labels[index])
        holdWeights.append(groupWeight)
      }
    }
    if weighted {
      log(
        .info,
        "the first \(min(options.topPositives, positiveGroups)) positives and their negatives "
          + "weigh \(format(options.topWeight)), the rest 1")
    }
    let holdCount = holdLabels.count
    if holdCount > 0 {
      let heldPositives = holdLabels.reduce(0) { $0 + ($1 ? 1 : 0) }
      guard heldPositives > 0, heldPositives < holdCount else {
        throw .holdoutNeedsBothClasses(fraction: options.holdoutFraction)
      }
    }
    let fitCount = data.count - holdCount
    log(
      .info,
      "exact kernel: training on \(fitCount) sequences, \(holdCount) held out; "
        + "n=\(n), \(alphabet == 4 ? "ACGT" : "ACGTN") table of \(nmerCount(width: n, alphabetSize: alphabet)) n-mers; "
        + "sequences packed in \(data.sequences.byteCount / 1_048_576) MB")
    var profile = TrainingProfile()
    let penalties = options.penalties.sorted(by: >)
    func makeSolver(included: BitVector?) -> ExactRidge {
      var solver = ExactRidge(
        sequences: data.sequences, labels: data.labels, included: included,
        sampleWeights: weighted ? sampleWeights : nil, filterWidth: n,
        alphabetSize: alphabet, strand: options.strand, threadCount: options.threadCount)
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
    if holdCount == 0 {
      do {
        let solution = try solve(
          makeSolver(included: nil), gamma: options.gammas[0], penalty: options.penalties[0],
          warm: nil)
        return TrainingResult(
          model: .exact(model(solution, gamma: options.gammas[0], penalty: options.penalties[0])),
          grid: [GridResult(gamma: options.gammas[0], penalty: options.penalties[0])],
          holdoutAUC: nil, trainingCount: data.count, holdoutCount: 0, profile: profile)
      } catch { throw .ridge(error) }
    }
    var fitMask = held
    for index in 0..<data.count { fitMask[index] = !held[index] }
    let fitSolver = makeSolver(included: fitMask)
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
            .scores(of: data.sequences, where: held, threadCount: options.threadCount)
          let auc =
            weighted
            ? try ROC.auc(scores: scores, labels: holdLabels, weights: holdWeights)
            : try ROC.auc(scores: scores, labels: holdLabels)
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
    fitSolver.workspace.clear()  // its scatter tables are not needed by the refit's solver
    logChoice(gamma: best.gamma, penalty: best.penalty, auc: best.auc, total: data.count)
    do {
      let solution = try solve(
        makeSolver(included: nil), gamma: best.gamma, penalty: best.penalty, warm: best.weights)
      return TrainingResult(
        model: .exact(model(solution, gamma: best.gamma, penalty: best.penalty)), grid: grid,
        holdoutAUC: best.auc, trainingCount: fitCount, holdoutCount: holdCount,
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

  /// Folds the features of the rows of `part` into `regression`; returns the number of rows.
  private func accumulate(
    _ data: some TrainingData, part: Part, heldGroups: BitVector,
    into regression: inout RidgeRegression, featurizer: Featurizer,
    profile: inout TrainingProfile, stage: String?
  ) throws(TrainingError) -> Int {
    var gramSeconds = 0.0
    var gramFlops = 0.0
    var rows = 0
    let m = Double(options.featureCount)
    try stream(
      data, part: part, heldGroups: heldGroups, featurizer: featurizer, profile: &profile,
      stage: stage
    ) { features, labels in
      let clock = Stopwatch()
      regression.add(
        features, labels: labels.map { $0 ? 1 : -1 }, threadCount: options.threadCount)
      gramSeconds += clock.seconds
      gramFlops += Double(features.rowCount) * m * (m + 1)
      rows += labels.count
    }
    profile.gramSeconds += gramSeconds
    profile.gramFlops += gramFlops
    return rows
  }

  /// Reads `data` in order, collects the rows of `part` into chunks of `chunkSize`, computes
  /// each chunk's features and hands them (with the labels) to `body`.
  ///
  /// Only one chunk of sequences and one `chunkSize × M` feature matrix are alive at a time.
  private func stream(
    _ data: some TrainingData, part: Part, heldGroups: BitVector, featurizer: Featurizer,
    profile: inout TrainingProfile, stage: String?, _ body: (Matrix, [Bool]) -> Void
  ) throws(TrainingError) {
    var lastReport = 0
    var seen = 0
    // One feature buffer for all chunks: no 64 MB allocation (and page faults) per chunk.
    var features = Matrix(rowCount: 0, columnCount: options.featureCount)
    var pending = [DNASequence]()
    var pendingLabels = [Bool]()
    func flush() {
      guard !pending.isEmpty else { return }
      let clock = Stopwatch()
      if features.rowCount != pending.count {
        features = Matrix(rowCount: pending.count, columnCount: options.featureCount)
      }
      featurizer.writeFeatures(of: pending, into: &features, threadCount: options.threadCount)
      profile.featureSeconds += clock.seconds
      profile.cosineCount += pending.reduce(0.0) {
        $0 + Double(max(0, $1.count - options.filterWidth + 1)) * Double(options.featureCount)
      }
      body(features, pendingLabels)
      pending.removeAll(keepingCapacity: true)
      pendingLabels.removeAll(keepingCapacity: true)
    }
    do {
      try data.forEachBatch(size: options.chunkSize) { batch in
        for i in 0..<batch.count {
          let isHeld = heldGroups[batch.groups[i]]
          if part == .all || (part == .held) == isHeld {
            pending.append(batch.sequences[i])
            pendingLabels.append(batch.labels[i])
            if pending.count == options.chunkSize { flush() }
          }
        }
        seen += batch.count
        if let stage, seen - lastReport >= 8 * options.chunkSize || seen == data.count {
          log(.info, "\(stage): features and Gram matrix \(seen)/\(data.count) sequences")
          lastReport = seen
        }
      }
    } catch { throw .data("\(error)") }
    flush()
  }

  /// Marks the held-out groups: exactly round(`holdoutFraction` · count) of them, drawn by
  /// selection sampling (Knuth's Algorithm S) from the seed, so only one bit per group is kept.
  func holdoutGroups(count: Int) -> BitVector {
    var held = BitVector(repeating: false, count: count)
    guard options.holdoutFraction > 0 else { return held }
    let wanted = Int((Double(count) * options.holdoutFraction).rounded())
    var generator = SplitMix64(seed: options.seed, stream: 0x484F_4C44, index: 0)  // "HOLD"
    var chosen = 0
    for group in 0..<count where chosen < wanted {
      if generator.nextIndex(below: count - group) < wanted - chosen {
        held[group] = true
        chosen += 1
      }
    }
    return held
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
