import Dispatch

/// Ridge regression in the exact feature space of the convolutional n-gram kernel, by conjugate
/// gradients on n-mer tables.
///
/// With one-hot bases the kernel factorises over the window's positions, so its feature map is
/// φ(x) = (A^{1/2})^{⊗n} c(x): c(x) counts the n-mers of x (q^n entries) and A = [a(s, t)] is the
/// q × q base kernel. Ridge regression with an unpenalised intercept,
/// ```
/// min_w ‖C_c K^{1/2} w − (y − ȳ)‖² + λ ‖w‖²,   K^{1/2} = (A^{1/2})^{⊗n}
/// ```
/// (C_c the centred count matrix, one row per sequence) is solved by conjugate gradients on
/// ```
/// (K^{1/2} C_cᵀ C_c K^{1/2} + λ I) w = K^{1/2} C_cᵀ (y − ȳ)
/// ```
/// One iteration costs one pass over the windows for C_c (a gather), one for C_cᵀ (a scatter),
/// and two Kronecker transforms (2 n q^(n+1) multiply-adds). The model is the n-mer table
/// u = K^{1/2} w with intercept b = ȳ − μ · u: score(x) = Σ_windows u[window] + b.
///
/// Stopping rule: ‖r‖ ≤ `tolerance` · ‖b‖ for the residual r of the system above (in `Double`),
/// or `maximumIterations`. Everything is deterministic for any thread count: sequences are
/// split into fixed blocks whose partial tables are summed in a fixed order.
public struct ExactRidge: Sendable {
  let indexing: NmerIndexing
  let strand: Strand
  let sequences: PackedSequences
  let labels: BitVector
  /// The sequences taking part (nil: all).
  let included: BitVector?
  let includedCount: Int
  let threadCount: Int
  /// μ = C ᵀ 1 / N, the mean count of each n-mer.
  let means: [Double]
  let targetMean: Double
  /// Right-hand side before the K^{1/2} transform: C_cᵀ (y − ȳ).
  let centredCrossProducts: [Double]

  /// Reused per-block scatter tables (no page faults per iteration).
  let workspace = ScatterWorkspace()

  /// Relative residual at which CG stops.
  public var tolerance = 1e-6
  /// Iteration cap.
  public var maximumIterations = 3000

  /// Prepares the statistics that do not depend on γ or λ (two passes over the data).
  ///
  /// Memory beyond `sequences` is a few n-mer tables: no per-sequence vector is stored, since
  /// each CG product gathers and scatters one sequence at a time.
  /// - Parameter included: the sequences to fit on (nil: all of them).
  public init(
    sequences: PackedSequences, labels: BitVector, included: BitVector? = nil, filterWidth: Int,
    alphabetSize: Int, strand: Strand, threadCount: Int
  ) {
    precondition(sequences.count == labels.count, "one label per sequence")
    precondition(included.map { $0.count == sequences.count } ?? true, "one flag per sequence")
    indexing = NmerIndexing(width: filterWidth, alphabetSize: alphabetSize)
    self.strand = strand
    self.sequences = sequences
    self.labels = labels
    self.included = included
    self.threadCount = threadCount
    var count = sequences.count
    var positives = labels.setCount
    if let included {
      count = included.setCount
      positives = (0..<sequences.count).reduce(0) { $0 + (included[$1] && labels[$1] ? 1 : 0) }
    }
    includedCount = count
    let n = Double(max(1, count))
    let mean = (Double(positives) - Double(count - positives)) / n
    targetMean = mean
    means = Self.sweep(
      sequences: sequences, included: included, indexing: indexing, strand: strand,
      threadCount: threadCount, workspace: workspace, gatherFrom: nil
    ) { _, _ in 1 }.table.map { $0 / n }
    // Σ_i (y_i − ȳ) = 0, so the centring term of C_cᵀ drops out.
    let labels = labels
    centredCrossProducts =
      Self.sweep(
        sequences: sequences, included: included, indexing: indexing, strand: strand,
        threadCount: threadCount, workspace: workspace, gatherFrom: nil
      ) { s, _ in (labels[s] ? 1 : -1) - mean }.table
  }

  /// Packs `sequences` and fits on all of them.
  public init(
    sequences: [DNASequence], labels: [Bool], filterWidth: Int, alphabetSize: Int, strand: Strand,
    threadCount: Int
  ) {
    var packed = PackedSequences()
    var bits = BitVector()
    for (sequence, label) in zip(sequences, labels) {
      packed.append(sequence)
      bits.append(label)
    }
    self.init(
      sequences: packed, labels: bits, filterWidth: filterWidth, alphabetSize: alphabetSize,
      strand: strand, threadCount: threadCount)
  }

  /// Number of n-mer table entries q^n.
  public var tableSize: Int { indexing.count }

  /// The solution for one (γ, λ).
  public struct Solution: Sendable {
    /// The n-mer table u = K^{1/2} w.
    public var table: [Double]
    /// Intercept b.
    public var intercept: Double
    /// w, for warm starts.
    public var weights: [Double]
    /// CG iterations used.
    public var iterations: Int
    /// Final relative residual.
    public var relativeResidual: Double
  }

  /// Solves for (γ, λ), starting from `warmStart` (a previous `weights`) if given.
  /// - Throws: `RidgeError` for λ ≤ 0 or a non-finite solution.
  public func solve(
    gamma: Double, penalty: Double, warmStart: [Double]? = nil
  ) throws(RidgeError) -> Solution {
    guard penalty > 0, penalty.isFinite else { throw .invalidPenalty(penalty) }
    guard includedCount > 0 else { throw .noData }
    let q = indexing.alphabetSize
    let n = indexing.width
    let root = symmetricSquareRoot(baseKernel(gamma: gamma, alphabetSize: q), order: q)
    var scratch = [Double](repeating: 0, count: indexing.count)
    func applyRoot(_ v: [Double]) -> [Double] {
      var x = v
      kroneckerPowerApply(root, alphabetSize: q, width: n, to: &x, scratch: &scratch)
      return x
    }
    func normal(_ w: [Double]) -> [Double] {
      var back = applyRoot(centredNormalProduct(applyRoot(w)))
      for k in back.indices { back[k] += penalty * w[k] }
      return back
    }
    let b = applyRoot(centredCrossProducts)
    var w = warmStart ?? [Double](repeating: 0, count: indexing.count)
    var r = b
    if warmStart != nil {
      let hw = normal(w)
      for k in r.indices { r[k] -= hw[k] }
    }
    let bNorm = max(dot(b, b).squareRoot(), .leastNormalMagnitude)
    var p = r
    var rr = dot(r, r)
    var iterations = 0
    while rr.squareRoot() > tolerance * bNorm && iterations < maximumIterations {
      let hp = normal(p)
      let alpha = rr / dot(p, hp)
      for k in w.indices {
        w[k] += alpha * p[k]
        r[k] -= alpha * hp[k]
      }
      let next = dot(r, r)
      let beta = next / rr
      rr = next
      for k in p.indices { p[k] = r[k] + beta * p[k] }
      iterations += 1
    }
    let u = applyRoot(w)
    let intercept = targetMean - dot(means, u)
    guard intercept.isFinite, u.allSatisfy({ $0.isFinite }) else {
      throw .nonFiniteSolution(penalty: penalty)
    }
    return Solution(
      table: u, intercept: intercept, weights: w, iterations: iterations,
      relativeResidual: rr.squareRoot() / bNorm)
  }

  /// C_cᵀ C_c u in one pass: per sequence, r = Σ_windows u[window] − μ · u is scattered back at
  /// once; then C_cᵀ r = Cᵀ r − μ Σ r.
  func centredNormalProduct(_ u: [Double]) -> [Double] {
    let shift = dot(means, u)
    var (result, total) = Self.sweep(
      sequences: sequences, included: included, indexing: indexing, strand: strand,
      threadCount: threadCount, workspace: workspace, gatherFrom: u
    ) { _, gathered in gathered - shift }
    for k in result.indices { result[k] -= means[k] * total }
    return result
  }

  /// One pass over the included sequences: for each, `weight(index, g)` (g = Σ over its windows
  /// of `u[window]`, or 0 without `u`) is added to the table entry of each of its windows.
  /// Returns the table and the sum of the weights.
  ///
  /// Sequences go to a fixed number of blocks (set by the table size, not the thread count),
  /// each with its own table, summed in block order: the result never depends on the threads.
  static func sweep(
    sequences: PackedSequences, included: BitVector?, indexing: NmerIndexing, strand: Strand,
    threadCount: Int, workspace: ScatterWorkspace, gatherFrom u: [Double]?,
    weight: @Sendable (Int, Double) -> Double
  ) -> (table: [Double], weightSum: Double) {
    let size = indexing.count
    let blocks = size <= 1 << 20 ? 8 : 1
    let count = sequences.count
    var partial = workspace.take(blocks: blocks, size: size)
    defer { workspace.give(partial) }
    var weightSums = [Double](repeating: 0, count: blocks)
    let gathering = u != nil
    let values = u ?? []
    partial.withUnsafeMutableBufferPointer { tables in
      weightSums.withUnsafeMutableBufferPointer { sums in
        guard let base = tables.baseAddress, let sumBase = sums.baseAddress else { return }
        let destination = SendablePointer(base: base)
        let sumDestination = SendablePointer(base: sumBase)
        parallelFor(blocks, threadCount: threadCount) { b in
          var table = [Double]()
          swap(&table, &destination.base[b])  // own the buffer: no copy on write
          table.withUnsafeMutableBufferPointer { t in t.update(repeating: 0) }
          var weightSum = 0.0
          // Sub-chunks of sequences are decoded once, gathered (touching only u), then
          // scattered (touching only this block's table): one table in cache at a time.
          let chunk = 2048
          var codes = [UInt8]()
          var starts = [Int](repeating: 0, count: chunk + 1)
          var members = [Int]()
          members.reserveCapacity(chunk)
          var weights = [Double](repeating: 0, count: chunk)
          var s = b * count / blocks
          let end = (b + 1) * count / blocks
          while s < end {
            members.removeAll(keepingCapacity: true)
            while members.count < chunk && s < end {
              if included?[s] ?? true { members.append(s) }
              s += 1
            }
            let k = members.count
            sequences.decode(members, into: &codes, starts: &starts)
            codes.withUnsafeBufferPointer { all in
              values.withUnsafeBufferPointer { valueBuffer in
                for j in 0..<k {
                  var gathered = 0.0
                  if gathering, let v = valueBuffer.baseAddress {
                    let window = UnsafeBufferPointer(rebasing: all[starts[j]..<starts[j + 1]])
                    indexing.forEachWindow(window, strand: strand) { gathered += v[$0] }
                  }
                  weights[j] = weight(members[j], gathered)
                  weightSum += weights[j]
                }
              }
              table.withUnsafeMutableBufferPointer { t in
                guard let table = t.baseAddress else { return }
                for j in 0..<k {
                  let w = weights[j]
                  let window = UnsafeBufferPointer(rebasing: all[starts[j]..<starts[j + 1]])
                  indexing.forEachWindow(window, strand: strand) { table[$0] += w }
                }
              }
            }
          }
          sumDestination.base[b] = weightSum
          swap(&table, &destination.base[b])
        }
      }
    }
    var total = partial[0]
    for b in 1..<blocks {
      partial[b].withUnsafeBufferPointer { t in
        for k in 0..<size { total[k] += t[k] }
      }
    }
    return (total, weightSums.reduce(0, +))
  }
}

/// Σ a_k b_k in a fixed order.
func dot(_ a: [Double], _ b: [Double]) -> Double {
  var s0 = 0.0
  var s1 = 0.0
  var s2 = 0.0
  var s3 = 0.0
  var k = 0
  let count = a.count
  a.withUnsafeBufferPointer { x in
    b.withUnsafeBufferPointer { y in
      while k + 3 < count {
        s0 += x[k] * y[k]
        s1 += x[k + 1] * y[k + 1]
        s2 += x[k + 2] * y[k + 2]
        s3 += x[k + 3] * y[k + 3]
        k += 4
      }
      while k < count {
        s0 += x[k] * y[k]
        k += 1
      }
    }
  }
  return (s0 + s1) + (s2 + s3)
}

/// A read-only pointer that may cross into `concurrentPerform` closures.
struct SendableConstPointer<Element>: @unchecked Sendable {
  let base: UnsafePointer<Element>?
}

/// Per-block scatter tables kept between conjugate-gradient iterations.
final class ScatterWorkspace: @unchecked Sendable {
  private var tables: [[Double]] = []
  private let lock = DispatchSemaphore(value: 1)

  /// Tables for `blocks` blocks of `size` entries (contents undefined).
  func take(blocks: Int, size: Int) -> [[Double]] {
    lock.wait()
    defer { lock.signal() }
    if tables.count == blocks && tables.allSatisfy({ $0.count == size }) {
      let result = tables
      tables = []
      return result
    }
    return [[Double]](repeating: [Double](repeating: 0, count: size), count: blocks)
  }

  /// Returns tables for the next call.
  func give(_ used: [[Double]]) {
    lock.wait()
    tables = used
    lock.signal()
  }
}
