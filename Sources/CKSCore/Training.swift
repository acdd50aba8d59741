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
  /// peak files list the strongest peaks first) and their groups (their shuffles) are the "top
  /// groups"; each of `topEmphases` is tried with every (γ, λ). 0: no top groups, all weigh 1.
  public var topPositives = 0
  public var topEmphases: [TopEmphasis] = [.weight(1)]
  /// Exact kernel: when > 0, the hold-out is drawn from the groups of the first `holdoutPool`
  /// positives (if they hold negatives): strong peaks against their own shuffles, like
  /// DeepBind's test sets. 0: from all groups.
  public var holdoutPool = 0
  /// With `holdoutPool`: the pool is split into this many folds. The first scores every grid
  /// point; with several top emphases, the others re-score each emphasis's best point and the
  /// best mean wins.
  public var holdoutFolds = 3

  public init() {}
}

/// How the exact kernel treats the top groups (`TrainingOptions.topPositives`).
public enum TopEmphasis: Sendable, Hashable, CustomStringConvertible {
  /// The top groups weigh `w` (≥ 1) in the fit (and in a hold-out drawn from all groups),
  /// every other group 1.
  case weight(Double)
  /// Only the top groups are fitted on.
  case only

  /// `3` or `only` (the `--top-weight` spelling).
  public var description: String {
    switch self {
    case .weight(let w): format(w)
    case .only: "only"
    }
  }
}

/// One (γ, λ) pair of the tuning grid and its held-out AUC (nil if it could not be fitted).
public struct GridResult: Sendable, Equatable {
  public var gamma: Double
  public var penalty: Double
  public var holdoutAUC: Double?
  /// Why the fit failed, if it did.
  public var failure: String?
  /// The treatment of the top groups (exact kernel; `.weight(1)` otherwise).
  public var emphasis = TopEmphasis.weight(1)
  /// Exact kernel with hold-out folds: for the best point of each top emphasis, its mean
  /// held-out AUC over all folds (this point refitted on each).
  public var meanAUC: Double?
}

/// The outcome of training.
public struct TrainingResult: Sendable {
  /// The final model, refitted on all training sequences with the chosen (γ, λ).
  public var model: TrainedModel
  /// Every grid point, in grid order (top emphasis outermost, then γ, λ innermost).
  public var grid: [GridResult]
  /// The chosen treatment of the top groups.
  public var emphasis = TopEmphasis.weight(1)
  /// Held-out AUC of the chosen pair (nil without a hold-out).
  public var holdoutAUC: Double?
  /// Sequences used for fitting vs held out during tuning.
  public var trainingCount: Int
  public var holdoutCount: Int
  /// The number of hold-out folds drawn from the first `holdoutPool` positives' groups; 0 when
  /// the hold-out was a `holdoutFraction` of all groups (or there was none).
  public var holdoutFolds = 0
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
      "several gamma/lambda/top-weight values need a held-out fraction (--holdout > 0) to choose "
        + "between them"
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
    if options.kernel == .exact {
      let packed: InMemoryTrainingData
      do { packed = try InMemoryTrainingData(data) } catch { throw .data("\(error)") }
      return try trainExact(packed)
    }
    return try trainRandom(data, heldGroups: holdoutGroups(count: data.groupCount))
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
    logChoice(
      "gamma \(format(best.gamma)) lambda \(format(best.penalty))", auc: best.auc,
      total: data.count)
    do {
      let ridge = try timedFit(best.regression, penalty: best.penalty, profile: &profile)
      return TrainingResult(
        model: makeModel(gamma: best.gamma, ridge: ridge), grid: grid, holdoutAUC: best.auc,
        trainingCount: counts.fit, holdoutCount: counts.held, profile: profile)
    } catch { throw .ridge(error) }
  }

  private func logChoice(_ choice: String, auc: Double, total: Int, of set: String = "all ") {
    log(
      .info,
      "chosen \(choice) (held-out AUC \(formatAUC(auc))); refitting on \(set)\(total) sequences")
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
  ///
  /// With top groups (`topPositives`) that hold negatives, the hold-out is drawn from the top
  /// groups and every top emphasis is a further grid axis: `.weight(w)` fits all data with the
  /// top groups weighing w, `.only` fits the top groups alone.
  private func trainExact(_ data: InMemoryTrainingData) throws(TrainingError) -> TrainingResult {
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
    // The top groups (led by one of the first `topPositives` positives) and the hold-out pool
    // (led by one of the first `holdoutPool`), per group and per sequence.
    var topGroups = BitVector(capacity: data.groupCount)
    var poolGroups = BitVector(capacity: data.groupCount)
    var top = BitVector(capacity: data.count)
    var positiveGroups = 0
    var negatives = (top: 0, pool: 0)
    var inGroup = (top: false, pool: false)
    for index in 0..<data.count {
      let label = data.labels[index]
      if data.groupStarts[index] {
        inGroup = (
          label && positiveGroups < options.topPositives,
          label && positiveGroups < options.holdoutPool
        )
        topGroups.append(inGroup.top)
        poolGroups.append(inGroup.pool)
        if label { positiveGroups += 1 }
      }
      top.append(inGroup.top)
      if !label && inGroup.top { negatives.top += 1 }
      if !label && inGroup.pool { negatives.pool += 1 }
    }
    let topGroupCount = topGroups.setCount
    // Top groups without negatives of their own (negatives from a file) would only reweigh the
    // classes: they are not used.
    let hasTop = options.topPositives > 0 && negatives.top > 0
    if options.topPositives > 0 && topGroupCount > 0 && !hasTop {
      log(.info, "the first positives have no negatives of their own: --top is not used")
    }
    let emphases = hasTop && !options.topEmphases.isEmpty ? options.topEmphases : [.weight(1)]
    // Likewise the pool cannot be scored alone without negatives of its own.
    let pooled = options.holdoutPool > 0 && negatives.pool > 0 && options.holdoutFraction > 0
    let folds =
      pooled
      ? holdoutFolds(count: data.groupCount, among: poolGroups, folds: max(1, options.holdoutFolds))
      : [holdoutGroups(count: data.groupCount)]
    /// Per-sequence hold-out flags of a fold, with the held sequences' labels and top flags.
    func split(_ heldGroups: BitVector) -> (held: BitVector, labels: [Bool], top: [Bool]) {
      var held = BitVector(capacity: data.count)
      var labels = [Bool]()
      var tops = [Bool]()
      var group = -1
      for index in 0..<data.count {
        if data.groupStarts[index] { group += 1 }
        held.append(heldGroups[group])
        if heldGroups[group] {
          labels.append(data.labels[index])
          tops.append(top[index])
        }
      }
      return (held, labels, tops)
    }
    let firstFold = split(folds[0])
    let (held, holdLabels) = (firstFold.held, firstFold.labels)
    let holdCount = holdLabels.count
    if holdCount > 0 {
      let heldPositives = holdLabels.reduce(0) { $0 + ($1 ? 1 : 0) }
      guard heldPositives > 0, heldPositives < holdCount else {
        throw .holdoutNeedsBothClasses(fraction: options.holdoutFraction)
      }
    } else if emphases.count * options.gammas.count * options.penalties.count > 1
      && options.holdoutFraction <= 0
    {
      throw .gridWithoutHoldout
    }
    let fitCount = data.count - holdCount
    log(
      .info,
      "exact kernel: training on \(fitCount) sequences, \(holdCount) held out"
        + (pooled
          ? " (fold 1 of \(folds.count) of the groups of the first \(options.holdoutPool) positives)"
          : "")
        + "; n=\(n), \(alphabet == 4 ? "ACGT" : "ACGTN") table of "
        + "\(nmerCount(width: n, alphabetSize: alphabet)) n-mers; "
        + "sequences packed in \(data.sequences.byteCount / 1_048_576) MB")
    var profile = TrainingProfile()
    let penalties = options.penalties.sorted(by: >)
    /// The sequences fitted on (nil: all) and their sample weights (nil: all 1) under `emphasis`,
    /// restricted to `mask` if given.
    func fitSet(_ emphasis: TopEmphasis, within mask: BitVector?) -> (BitVector?, [Double]?) {
      switch emphasis {
      case .only:
        var included = top
        if let mask { for i in 0..<data.count where !mask[i] { included[i] = false } }
        return (included, nil)
      case .weight(let w):
        return (mask, w == 1 ? nil : (0..<data.count).map { top[$0] ? w : 1 })
      }
    }
    func makeSolver(_ emphasis: TopEmphasis, within mask: BitVector?) -> ExactRidge {
      let (included, weights) = fitSet(emphasis, within: mask)
      var solver = ExactRidge(
        sequences: data.sequences, labels: data.labels, included: included,
        sampleWeights: weights, filterWidth: n, alphabetSize: alphabet, strand: options.strand,
        threadCount: options.threadCount)
      solver.tolerance = options.tolerance
      return solver
    }
    func describe(_ emphasis: TopEmphasis) -> String {
      switch emphasis {
      case .weight(1): ""
      case .weight: "top-weight \(emphasis): "
      case .only: "top-weight only: "
      }
    }
    func solve(
      _ solver: ExactRidge, _ emphasis: TopEmphasis, gamma: Double, penalty: Double,
      warm: [Double]?
    ) throws(RidgeError) -> ExactRidge.Solution {
      let clock = Stopwatch()
      let solution = try solver.solve(gamma: gamma, penalty: penalty, warmStart: warm)
      profile.solveSeconds += clock.seconds
      profile.iterations += solution.iterations
      let stage = describe(emphasis) + "gamma \(format(gamma)) lambda \(format(penalty))"
      log(
        .debug,
        "\(stage): \(solution.iterations) CG iterations, "
          + "relative residual \(solution.relativeResidual)")
      if solution.relativeResidual > options.tolerance {
        log(
          .warning,
          "\(stage): CG stopped at \(solution.iterations) iterations with relative residual "
            + "\(solution.relativeResidual)")
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
      let (emphasis, gamma, penalty) = (emphases[0], options.gammas[0], options.penalties[0])
      do {
        let solution = try solve(
          makeSolver(emphasis, within: nil), emphasis, gamma: gamma, penalty: penalty, warm: nil)
        return TrainingResult(
          model: .exact(model(solution, gamma: gamma, penalty: penalty)),
          grid: [GridResult(gamma: gamma, penalty: penalty, emphasis: emphasis)],
          emphasis: emphasis, holdoutAUC: nil, trainingCount: data.count, holdoutCount: 0,
          profile: profile)
      } catch { throw .ridge(error) }
    }
    /// The fitting mask of a fold: everything not held out.
    func complement(_ held: BitVector) -> BitVector {
      var mask = held
      for index in 0..<data.count { mask[index] = !held[index] }
      return mask
    }
    /// AUC of a solution on a fold's held-out sequences, weighted like the fit when the hold-out
    /// mixes top and other groups.
    func heldAUC(
      _ solution: ExactRidge.Solution, _ point: GridResult,
      on fold: (held: BitVector, labels: [Bool], top: [Bool])
    ) throws(ROCError) -> Double {
      let scores = NmerTable(exact: model(solution, gamma: point.gamma, penalty: point.penalty))
        .scores(of: data.sequences, where: fold.held, threadCount: options.threadCount)
      if case .weight(let w) = point.emphasis, w != 1, fold.top.contains(true),
        fold.top.contains(false)
      {
        return try ROC.auc(
          scores: scores, labels: fold.labels, weights: fold.top.map { $0 ? w : 1 })
      }
      return try ROC.auc(scores: scores, labels: fold.labels)
    }
    let fitMask = complement(held)
    var grid = [GridResult]()
    // The best grid point of each top emphasis on fold 1 (index into `grid`), its dual weights.
    var bests = [(point: Int, weights: [Double])?](repeating: nil, count: emphases.count)
    for (e, emphasis) in emphases.enumerated() {
      let fitSolver = makeSolver(emphasis, within: fitMask)
      if case .weight(let w) = emphasis, w != 1 {
        log(
          .info,
          "the first \(topGroupCount) positives and their negatives weigh \(format(w)), the rest 1")
      }
      for gamma in options.gammas {
        var warm: [Double]?
        var points = [Double: (GridResult, [Double]?)]()
        for penalty in penalties {
          var point = GridResult(gamma: gamma, penalty: penalty, emphasis: emphasis)
          var weights: [Double]?
          let stage = describe(emphasis) + "gamma \(format(gamma)) lambda \(format(penalty))"
          do {
            let solution = try solve(
              fitSolver, emphasis, gamma: gamma, penalty: penalty, warm: warm)
            warm = solution.weights
            weights = solution.weights
            let auc = try heldAUC(solution, point, on: firstFold)
            point.holdoutAUC = auc
            log(
              .info,
              "\(stage): held-out AUC \(formatAUC(auc)) (\(solution.iterations) CG iterations)")
          } catch {
            point.failure = "\(error)"
            log(.warning, "\(stage): \(error)")
          }
          points[penalty] = (point, weights)
        }
        for penalty in options.penalties {
          guard let (point, weights) = points[penalty] else { continue }
          grid.append(point)
          if let auc = point.holdoutAUC, let weights,
            auc > bests[e].map({ grid[$0.point].holdoutAUC ?? -1 }) ?? -1
          {
            bests[e] = (grid.count - 1, weights)
          }
        }
      }
      fitSolver.workspace.clear()  // its scatter tables are not needed any more
    }
    // With several top emphases and folds, each emphasis's best point is refitted and scored on
    // the other folds; the emphasis with the best mean held-out AUC wins.
    let contenders = bests.indices.filter { bests[$0] != nil }
    let compared = contenders.count > 1 && folds.count > 1
    if compared {
      var sums = contenders.map { grid[bests[$0]!.point].holdoutAUC! }
      for (f, foldGroups) in folds.enumerated().dropFirst() {
        let fold = split(foldGroups)
        let foldFit = complement(fold.held)
        for (c, e) in contenders.enumerated() {
          let point = grid[bests[e]!.point]
          let stage = describe(point.emphasis) + "fold \(f + 1)"
          do {
            let solver = makeSolver(point.emphasis, within: foldFit)
            let solution = try solve(
              solver, point.emphasis, gamma: point.gamma, penalty: point.penalty,
              warm: bests[e]!.weights)
            solver.workspace.clear()
            bests[e]!.weights = solution.weights
            let auc = try heldAUC(solution, point, on: fold)
            sums[c] += auc
            log(.info, "\(stage): held-out AUC \(formatAUC(auc))")
          } catch {
            sums[c] = -.infinity
            log(.warning, "\(stage): \(error)")
          }
        }
      }
      for (c, e) in contenders.enumerated() {
        let mean = sums[c] / Double(folds.count)
        grid[bests[e]!.point].meanAUC = mean.isFinite ? mean : nil
        log(
          .info,
          describe(grid[bests[e]!.point].emphasis)
            + "mean held-out AUC over \(folds.count) folds \(mean.isFinite ? formatAUC(mean) : "NA")"
        )
      }
    }
    // The winner: best mean over the folds when they were compared, else best fold-1 AUC.
    var chosen: (index: Int, auc: Double)?
    for e in contenders {
      let point = grid[bests[e]!.point]
      guard let auc = compared ? point.meanAUC : point.holdoutAUC else { continue }
      if auc > (chosen?.auc ?? -1) { chosen = (e, auc) }
    }
    guard let chosen, let best = bests[chosen.index] else { throw .noUsableGridPoint(grid) }
    let point = grid[best.point]
    let refitSolver = makeSolver(point.emphasis, within: nil)
    logChoice(
      describe(point.emphasis) + "gamma \(format(point.gamma)) lambda \(format(point.penalty))",
      auc: chosen.auc, total: refitSolver.includedCount,
      of: point.emphasis == .only ? "the top groups' " : "all ")
    do {
      let solution = try solve(
        refitSolver, point.emphasis, gamma: point.gamma, penalty: point.penalty,
        warm: best.weights)
      return TrainingResult(
        model: .exact(model(solution, gamma: point.gamma, penalty: point.penalty)), grid: grid,
        emphasis: point.emphasis, holdoutAUC: chosen.auc, trainingCount: fitCount,
        holdoutCount: holdCount, holdoutFolds: pooled ? folds.count : 0, profile: profile)
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

  /// Marks the held-out groups: exactly round(`holdoutFraction` · m) of the m groups set in
  /// `among` (nil: all `count` groups), drawn by selection sampling (Knuth's Algorithm S) from
  /// the seed, so only one bit per group is kept.
  func holdoutGroups(count: Int, among eligible: BitVector? = nil) -> BitVector {
    guard options.holdoutFraction > 0 else { return BitVector(repeating: false, count: count) }
    let candidates = eligible?.setCount ?? count
    let wanted = Int((Double(candidates) * options.holdoutFraction).rounded())
    return sample(wanted, of: candidates, count: count, eligible: eligible, stream: 0)
  }

  /// Splits the groups set in `eligible` into `folds` disjoint folds of near-equal size, each
  /// drawn by selection sampling from the seed among the groups not yet assigned.
  func holdoutFolds(count: Int, among eligible: BitVector, folds: Int) -> [BitVector] {
    var free = eligible
    var remaining = eligible.setCount
    var result = [BitVector]()
    for fold in 0..<folds {
      let wanted = Int((Double(remaining) / Double(folds - fold)).rounded())
      let held = sample(wanted, of: remaining, count: count, eligible: free, stream: UInt64(fold))
      for group in 0..<count where held[group] { free[group] = false }
      remaining -= wanted
      result.append(held)
    }
    return result
  }

  /// Selection sampling (Knuth's Algorithm S): exactly `wanted` of the `candidates` groups set
  /// in `eligible` (nil: all `count`), drawn from the seed's hold-out stream number `stream`.
  private func sample(
    _ wanted: Int, of candidates: Int, count: Int, eligible: BitVector?, stream: UInt64
  ) -> BitVector {
    var held = BitVector(repeating: false, count: count)
    var generator = SplitMix64(seed: options.seed, stream: 0x484F_4C44, index: stream)  // "HOLD"
    var chosen = 0
    var seen = 0
    for group in 0..<count where chosen < wanted && (eligible?[group] ?? true) {
      if generator.nextIndex(below: candidates - seen) < wanted - chosen {
        held[group] = true
        chosen += 1
      }
      seen += 1
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
