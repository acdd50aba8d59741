/// Why a ridge fit could not be made.
public enum RidgeError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The penalty is negative or not finite.
  case invalidPenalty(Double)
  /// No training rows were accumulated.
  case noData
  /// The penalised Gram matrix is singular or not positive definite in `Float` precision.
  case notPositiveDefinite(penalty: Double)
  /// The solution holds NaN or infinity.
  case nonFiniteSolution(penalty: Double)

  public var description: String {
    switch self {
    case .invalidPenalty(let value): "ridge penalty lambda must be >= 0 and finite, got \(value)"
    case .noData: "no training sequences"
    case .notPositiveDefinite(let penalty):
      "the ridge system is singular or not positive definite at lambda=\(penalty); "
        + "use a larger --lambda"
    case .nonFiniteSolution(let penalty):
      "the ridge solution at lambda=\(penalty) is not finite; use a larger --lambda"
    }
  }
}

/// A fitted linear model: score(x) = w · φ(x) + b.
public struct RidgeModel: Sendable, Equatable {
  /// Penalty λ the model was fitted with.
  public let penalty: Double
  /// Weights w, one per feature.
  public let weights: [Float]
  /// Intercept b (not penalised).
  public let intercept: Float

  /// Creates a model from its parts.
  public init(penalty: Double, weights: [Float], intercept: Float) {
    self.penalty = penalty
    self.weights = weights
    self.intercept = intercept
  }

  /// Scores each row of `features` (row-major, n × M).
  ///
  /// Calls `cblas_sgemv`.
  public func scores(of features: Matrix) -> [Float] {
    precondition(
      features.columnCount == weights.count,
      "features have \(features.columnCount) columns, model has \(weights.count) weights")
    var result = [Float](repeating: 0, count: features.rowCount)
    guard features.rowCount > 0 else { return result }
    features.values.withUnsafeBufferPointer { a in
      weights.withUnsafeBufferPointer { w in
        result.withUnsafeMutableBufferPointer { y in
          BLAS.multiply(
            a.baseAddress, rowCount: features.rowCount, columnCount: features.columnCount,
            by: w.baseAddress, into: y.baseAddress)
        }
      }
    }
    return result.map { $0 + intercept }
  }
}

/// Ridge regression with an unpenalised intercept, solved exactly from streamed sufficient
/// statistics.
///
/// Minimises, over w and b,
/// ```
/// Σ_i (w · x_i + b − y_i)² + λ ‖w‖²
/// ```
/// Rows are folded in chunk by chunk (`add`), so memory is O(M²), not O(N·M). The solve centres
/// the Gram matrix, C = XᵀX − N μ μᵀ, then factors C + λI by Cholesky:
/// ```
/// (C + λI) w = Xᵀy − N μ ȳ,   b = ȳ − μ · w
/// ```
public struct RidgeRegression: Sendable {
  /// Number of features M.
  public let featureCount: Int
  /// Row-major upper triangle of XᵀX (`Float`, as `cblas_ssyrk` accumulates it).
  var gram: [Float]
  /// Column sums of X.
  var columnSums: [Double]
  /// Xᵀ y.
  var crossProducts: [Double]
  /// Σ y.
  var labelSum: Double = 0
  /// Rows folded in so far.
  public private(set) var rowCount = 0

  /// Creates an empty accumulator for `featureCount` features.
  public init(featureCount: Int) {
    precondition(featureCount >= 1, "featureCount must be >= 1")
    self.featureCount = featureCount
    gram = [Float](repeating: 0, count: featureCount * featureCount)
    columnSums = [Double](repeating: 0, count: featureCount)
    crossProducts = [Double](repeating: 0, count: featureCount)
  }

  /// Folds in rows of `features` (row-major, n × M) with targets `labels`.
  /// - Complexity: n · M² / 2 multiply-adds in `cblas_ssyrk`, plus O(n · M).
  /// The Gram update is split into fixed column blocks, each a single-threaded `cblas_ssyrk` or
  /// `cblas_sgemm` call, shared among `threadCount` threads: the result is bit-identical for every
  /// thread count.
  public mutating func add(_ features: Matrix, labels: [Float], threadCount: Int = 1) {
    precondition(
      features.columnCount == featureCount,
      "features have \(features.columnCount) columns, accumulator expects \(featureCount)")
    precondition(
      labels.count == features.rowCount,
      "\(labels.count) labels for \(features.rowCount) feature rows")
    guard features.rowCount > 0 else { return }
    let m = featureCount
    features.values.withUnsafeBufferPointer { x in
      gram.withUnsafeMutableBufferPointer { g in
        guard let source = x.baseAddress, let target = g.baseAddress else { return }
        Self.addGram(
          of: source, rowCount: features.rowCount, columnCount: m, into: target,
          threadCount: threadCount)
      }
      for row in 0..<features.rowCount {
        let y = Double(labels[row])
        let base = row * m
        for j in 0..<m {
          let value = Double(x[base + j])
          columnSums[j] += value
          crossProducts[j] += value * y
        }
        labelSum += y
      }
    }
    rowCount += features.rowCount
  }

  /// Column-block size of the parallel Gram update.
  static let gramBlock = 512

  /// Upper triangle of G += XᵀX, as independent (block a ≤ block b) tasks.
  static func addGram(
    of x: UnsafePointer<Float>, rowCount: Int, columnCount m: Int,
    into g: UnsafeMutablePointer<Float>, threadCount: Int
  ) {
    let blockCount = (m + gramBlock - 1) / gramBlock
    var tasks = [(Int, Int)]()
    for a in 0..<blockCount {
      for b in a..<blockCount { tasks.append((a, b)) }
    }
    let source = SendablePointer(base: UnsafeMutablePointer(mutating: x))
    let target = SendablePointer(base: g)
    let taskList = tasks
    parallelFor(taskList.count, threadCount: threadCount) { index in
      let (a, b) = taskList[index]
      let aStart = a * gramBlock
      let bStart = b * gramBlock
      let aCount = min(gramBlock, m - aStart)
      let bCount = min(gramBlock, m - bStart)
      let c = target.base + aStart * m + bStart
      if a == b {
        BLAS.addBlockGram(
          source.base, rowCount: rowCount, leadingDimension: m, start: aStart, count: aCount,
          into: c, ldc: m)
      } else {
        BLAS.addCrossProduct(
          source.base, rowCount: rowCount, leadingDimension: m, aStart: aStart, aCount: aCount,
          bStart: bStart, bCount: bCount, into: c, ldc: m)
      }
    }
  }

  /// Solves for one penalty λ ≥ 0.
  /// - Throws: `RidgeError` if λ is invalid, no rows were added, or the system is singular.
  /// - Complexity: M³/3 flops (`spotrf_`) plus M² to form the system.
  public func fit(penalty: Double) throws(RidgeError) -> RidgeModel {
    guard penalty >= 0, penalty.isFinite else { throw .invalidPenalty(penalty) }
    guard rowCount > 0 else { throw .noData }
    let m = featureCount
    let n = Double(rowCount)
    let means = columnSums.map { $0 / n }
    let labelMean = labelSum / n
    var system = [Float](repeating: 0, count: m * m)
    var maxDiagonal = 0.0
    for i in 0..<m {
      let rowBase = i * m
      let meanI = means[i] * n
      for j in i..<m {
        system[rowBase + j] = Float(Double(gram[rowBase + j]) - meanI * means[j])
      }
      let diagonal = Double(system[rowBase + i]) + penalty
      system[rowBase + i] = Float(diagonal)
      maxDiagonal = max(maxDiagonal, diagonal)
    }
    var solution = (0..<m).map { Float(crossProducts[$0] - means[$0] * n * labelMean) }
    let info = system.withUnsafeMutableBufferPointer { a in
      BLAS.choleskyFactor(a.baseAddress, order: m)
    }
    guard info == 0 else { throw .notPositiveDefinite(penalty: penalty) }
    // A pivot far below the largest diagonal means the system is numerically singular in Float.
    var minPivotSquared = Double.infinity
    for i in 0..<m {
      let pivot = Double(system[i * m + i])
      minPivotSquared = min(minPivotSquared, pivot * pivot)
    }
    guard minPivotSquared > maxDiagonal * 1e-5 else {
      throw .notPositiveDefinite(penalty: penalty)
    }
    _ = system.withUnsafeBufferPointer { a in
      solution.withUnsafeMutableBufferPointer { b in
        BLAS.choleskySolve(a.baseAddress, order: m, rightHandSide: b.baseAddress)
      }
    }
    var dot = 0.0
    for j in 0..<m { dot += means[j] * Double(solution[j]) }
    let intercept = Float(labelMean - dot)
    guard intercept.isFinite, solution.allSatisfy({ $0.isFinite }) else {
      throw .nonFiniteSolution(penalty: penalty)
    }
    return RidgeModel(penalty: penalty, weights: solution, intercept: intercept)
  }
}
