import Dispatch

/// Ridge regression in the exact feature space of the convolutional n-gram kernel, by conjugate
/// gradients on n-mer tables.
///
/// With one-hot bases the kernel factorises over the window's positions, so its feature map is
/// φ(x) = (A^{1/2})^{⊗n} c(x): c(x) counts the n-mers of x (q^n entries) and A = [a(s, t)] is the
/// q × q base kernel. Ridge regression with an unpenalised intercept,
/// ```
/// min_w ‖C_c K^{1/2} w − (y − ȳ)‖² + λ ‖w‖²,   K = A^{⊗n}
/// ```
/// (C_c the centred count matrix, one row per sequence) is solved in its dual form by conjugate
/// gradients on
/// ```
/// (C_c K C_cᵀ + λ I) α = y − ȳ,   w = K^{1/2} C_cᵀ α
/// ```
/// which has the primal normal equations' non-zero spectrum (so the same convergence) but
/// vectors of one entry per sequence. One iteration costs a scatter of α into an n-mer table
/// (C_cᵀ), one Kronecker transform (n q^(n+1) multiply-adds, cache-blocked) and a gather (C_c).
/// The model is the n-mer table u = K^{1/2} w = K C_cᵀ α with intercept b = ȳ − μ · u:
/// score(x) = Σ_windows u[window] + b.
///
/// Stopping rule: ‖r‖ ≤ `tolerance` · ‖y − ȳ‖ for the dual residual r (in `Double`), or
/// `maximumIterations`. Everything is deterministic for any thread count: sequences are split
/// into fixed blocks whose partial tables are summed in a fixed order, and each sequence's
/// gather is one thread's sum in window order.
public struct ExactRidge: Sendable {
  let indexing: NmerIndexing
  let strand: Strand
  let sequences: PackedSequences
  let labels: BitVector
  /// The sequences taking part (nil: all).
  let included: BitVector?
  let includedCount: Int
  let threadCount: Int
  /// √s_i for sample weights s_i (nil: all 1).
  let weightRoots: [Double]?
  /// μ = Cᵀ s / Σ s, the (weighted) mean count of each n-mer.
  let means: [Double]
  let targetMean: Double

  /// Reused per-block scatter tables (no page faults per iteration).
  let workspace = ScatterWorkspace()

  /// Relative residual at which CG stops.
  public var tolerance = 1e-6
  /// Iteration cap.
  public var maximumIterations = 3000

  /// Prepares the statistics that do not depend on γ or λ (one pass over the data).
  ///
  /// Memory beyond `sequences` is a few n-mer tables (the solution, the per-block scatter
  /// tables) and a few vectors of one `Double` per sequence.
  /// - Parameters:
  ///   - included: the sequences to fit on (nil: all of them).
  ///   - sampleWeights: s_i > 0 per sequence (nil: all 1): the fit minimises
  ///     Σ s_i (y_i − f(x_i))² + λ‖w‖², i.e. the unweighted problem on rows scaled by √s_i, whose
  ///     dual runs on D C_c K C_cᵀ D (D = diag √s) with weighted means μ and ȳ.
  public init(
    sequences: PackedSequences, labels: BitVector, included: BitVector? = nil,
    sampleWeights: [Double]? = nil, filterWidth: Int, alphabetSize: Int, strand: Strand,
    threadCount: Int
  ) {
    precondition(sequences.count == labels.count, "one label per sequence")
    precondition(
      sampleWeights.map { $0.count == sequences.count && $0.allSatisfy { $0 > 0 } } ?? true,
      "one positive weight per sequence")
    precondition(included.map { $0.count == sequences.count } ?? true, "one flag per sequence")
    indexing = NmerIndexing(width: filterWidth, alphabetSize: alphabetSize)
    self.strand = strand
    self.sequences = sequences
    self.labels = labels
    self.included = included
    self.threadCount = threadCount
    includedCount = included?.setCount ?? sequences.count
    weightRoots = sampleWeights?.map { $0.squareRoot() }
    // Weighted means (all weights 1 without sample weights: exact integer sums, plain means).
    var total = 0.0
    var signed = 0.0
    for i in 0..<sequences.count where included?[i] ?? true {
      let s = sampleWeights?[i] ?? 1
      total += s
      signed += labels[i] ? s : -s
    }
    let divisor = max(total, .leastNormalMagnitude)
    targetMean = signed / divisor
    means = Self.sweep(
      sequences: sequences, included: included, indexing: indexing, strand: strand,
      threadCount: threadCount, workspace: workspace
    ) { i in sampleWeights?[i] ?? 1 }.table.map { $0 / divisor }
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
    /// The n-mer table u = K C_cᵀ α.
    public var table: [Double]
    /// Intercept b.
    public var intercept: Double
    /// The dual coefficients α (one per sequence, 0 for those left out), for warm starts.
    public var weights: [Double]
    /// CG iterations used.
    public var iterations: Int
    /// Final relative residual.
    public var relativeResidual: Double
  }

  /// Solves for (γ, λ), starting from `warmStart` (a previous solution's `weights`) if given.
  /// - Throws: `RidgeError` for λ ≤ 0 or a non-finite solution.
  public func solve(
    gamma: Double, penalty: Double, warmStart: [Double]? = nil
  ) throws(RidgeError) -> Solution {
    guard penalty > 0, penalty.isFinite else { throw .invalidPenalty(penalty) }
    guard includedCount > 0 else { throw .noData }
    precondition(warmStart.map { $0.count == sequences.count } ?? true, "one weight per sequence")
    let q = indexing.alphabetSize
    let n = indexing.width
    let kernel = baseKernel(gamma: gamma, alphabetSize: q)
    let size = indexing.count
    let count = sequences.count
    let included = included
    let roots = weightRoots
    // The general route needs a scratch vector; ACGT kernels (αI + β11ᵀ) run in place.
    var scratch = q == 5 ? [Double](repeating: 0, count: size) : []
    var table = [Double](repeating: 0, count: size)
    /// table ← K C_cᵀ D v.
    func project(_ v: [Double]) {
      let total = Self.sweep(
        sequences: sequences, included: included, indexing: indexing, strand: strand,
        threadCount: threadCount, workspace: workspace, into: &table
      ) { s in (roots?[s] ?? 1) * v[s] }
      axpy(-total, means, &table)
      kroneckerPowerApply(
        kernel, alphabetSize: q, width: n, to: &table, scratch: &scratch,
        threadCount: threadCount)
    }
    /// out ← (D C_c K C_cᵀ D + λI) v on the included sequences (0 elsewhere).
    func product(_ v: [Double], into out: inout [Double]) {
      project(v)
      let shift = dot(means, table)
      Self.gather(
        sequences: sequences, included: included, indexing: indexing, strand: strand,
        threadCount: threadCount, from: table, into: &out)
      out.withUnsafeMutableBufferPointer { o in
        v.withUnsafeBufferPointer { input in
          for i in 0..<count where included?[i] ?? true {
            o[i] = (roots?[i] ?? 1) * (o[i] - shift) + penalty * input[i]
          }
        }
      }
    }
    // Right-hand side D (y − ȳ) on the included sequences, 0 elsewhere.
    var rhs = [Double](repeating: 0, count: count)
    for i in 0..<count where included?[i] ?? true {
      rhs[i] = (roots?[i] ?? 1) * ((labels[i] ? 1 : -1) - targetMean)
    }
    var alpha = warmStart ?? [Double](repeating: 0, count: count)
    if let included {
      for i in 0..<count where !included[i] { alpha[i] = 0 }
    }
    var r = rhs
    var hp = [Double](repeating: 0, count: count)
    if warmStart != nil {
      product(alpha, into: &hp)
      axpy(-1, hp, &r)
    }
    let rhsNorm = max(dot(rhs, rhs).squareRoot(), .leastNormalMagnitude)
    var p = r
    var rr = dot(r, r)
    var iterations = 0
    while rr.squareRoot() > tolerance * rhsNorm && iterations < maximumIterations {
      product(p, into: &hp)
      let step = rr / dot(p, hp)
      axpy(step, p, &alpha)
      axpy(-step, hp, &r)
      let next = dot(r, r)
      let beta = next / rr
      rr = next
      for i in 0..<count { p[i] = r[i] + beta * p[i] }
      iterations += 1
    }
    project(alpha)
    let intercept = targetMean - dot(means, table)
    guard intercept.isFinite, table.allSatisfy({ $0.isFinite }) else {
      throw .nonFiniteSolution(penalty: penalty)
    }
    return Solution(
      table: table, intercept: intercept, weights: alpha, iterations: iterations,
      relativeResidual: rr.squareRoot() / rhsNorm)
  }

  /// out[s] ← Σ over the windows of sequence s of `table[window]`, for the included sequences
  /// (others untouched). Each sequence is summed in window order by one thread: the result
  /// never depends on the thread count.
  static func gather(
    sequences: PackedSequences, included: BitVector?, indexing: NmerIndexing, strand: Strand,
    threadCount: Int, from table: [Double], into out: inout [Double]
  ) {
    let count = sequences.count
    precondition(out.count == count, "one output per sequence")
    let chunk = 2048
    out.withUnsafeMutableBufferPointer { outBuffer in
      table.withUnsafeBufferPointer { tableBuffer in
        guard let outBase = outBuffer.baseAddress, let values = tableBuffer.baseAddress else {
          return
        }
        let destination = SendablePointer(base: outBase)
        let source = SendableConstPointer(base: values)
        parallelFor((count + chunk - 1) / chunk, threadCount: threadCount) { c in
          var members = [Int]()
          members.reserveCapacity(chunk)
          for s in (c * chunk)..<min(count, (c + 1) * chunk) where included?[s] ?? true {
            members.append(s)
          }
          var codes = [UInt8]()
          var starts = [Int](repeating: 0, count: chunk + 1)
          sequences.decode(members, into: &codes, starts: &starts)
          guard let v = source.base else { return }
          codes.withUnsafeBufferPointer { all in
            for (j, s) in members.enumerated() {
              var sum = 0.0
              let window = UnsafeBufferPointer(rebasing: all[starts[j]..<starts[j + 1]])
              indexing.forEachWindow(window, strand: strand) { sum += v[$0] }
              destination.base[s] = sum
            }
          }
        }
      }
    }
  }

  /// One pass over the included sequences (a scatter, Cᵀ v): `weight(index)` is added to the
  /// table entry of each of the sequence's windows. Returns the table and the sum of the weights.
  ///
  /// Sequences go to a fixed number of blocks (set by the table size, not the thread count),
  /// each with its own table, summed in block order: the result never depends on the threads.
  static func sweep(
    sequences: PackedSequences, included: BitVector?, indexing: NmerIndexing, strand: Strand,
    threadCount: Int, workspace: ScatterWorkspace, weight: @Sendable (Int) -> Double
  ) -> (table: [Double], weightSum: Double) {
    var table = [Double](repeating: 0, count: indexing.count)
    let sum = sweep(
      sequences: sequences, included: included, indexing: indexing, strand: strand,
      threadCount: threadCount, workspace: workspace, into: &table, weight: weight)
    return (table, sum)
  }

  /// `sweep` into a caller's table (of the table's size, overwritten); returns the weight sum.
  static func sweep(
    sequences: PackedSequences, included: BitVector?, indexing: NmerIndexing, strand: Strand,
    threadCount: Int, workspace: ScatterWorkspace, into total: inout [Double],
    weight: @Sendable (Int) -> Double
  ) -> Double {
    let size = indexing.count
    precondition(total.count == size, "the output must have the table's size")
    // Fixed block count (never the thread count): 8 tables while they are small, 2 above 8 MB.
    let blocks = size <= 1 << 20 ? 8 : 2
    let count = sequences.count
    var partial = workspace.take(blocks: blocks, size: size)
    defer { workspace.give(partial) }
    var weightSums = [Double](repeating: 0, count: blocks)
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
          // Sub-chunks of sequences are decoded together, then scattered into this block's table.
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
              for j in 0..<k {
                weights[j] = weight(members[j])
                weightSum += weights[j]
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
    total.withUnsafeMutableBufferPointer { out in
      partial[0].withUnsafeBufferPointer { _ = out.update(fromContentsOf: $0) }
      for b in 1..<blocks {
        partial[b].withUnsafeBufferPointer { t in
          for k in 0..<size { out[k] += t[k] }
        }
      }
    }
    return weightSums.reduce(0, +)
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

/// y ← y + a x.
func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
  precondition(x.count == y.count, "vectors must have the same length")
  y.withUnsafeMutableBufferPointer { out in
    x.withUnsafeBufferPointer { input in
      for k in 0..<out.count { out[k] += a * input[k] }
    }
  }
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

  /// Drops the kept tables (their memory goes back to the system).
  func clear() {
    lock.wait()
    tables = []
    lock.signal()
  }

  /// Returns tables for the next call.
  func give(_ used: [[Double]]) {
    lock.wait()
    tables = used
    lock.signal()
  }
}
