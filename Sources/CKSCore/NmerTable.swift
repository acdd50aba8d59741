/// A trained linear model folded into one number per n-mer: the fast exact scoring route.
///
/// The score is linear in the features and the features are sums over windows, so
/// ```
/// score(x) = b + Σ_windows T[window]
/// ```
/// For the random kernel T[k] = √(2/M) Σ_j w_j cos(w_j · k + b_j) (+ the same for the reverse
/// complement with `--strand both`); for the exact kernel T is the solved n-mer table. k runs over
/// the q^n n-mers (index: base-q digits, first base most significant; A=0, C=1, G=2, T=3, N=4).
/// With q = 4 a window that contains an N (or other ambiguity code) is not in the table; its
/// term is computed exactly another way: from the filters (random kernel), or as
/// β^k Σ T[completions] over the 4^k ways to fill its k unknown positions, with
/// β = e^{−γ/2} / (1 + 3e^{−γ}) (exact kernel: a(N, t) = β Σ_s a(s, t) for every base t).
public struct NmerTable: Sendable {
  /// Filter width n.
  public let filterWidth: Int
  /// 4 or 5.
  public let alphabetSize: Int
  /// T[k] for the q^n n-mers.
  public let values: [Float]
  /// Intercept b.
  public let intercept: Float
  let unknowns: Unknowns

  /// How windows outside a 4-letter table are scored.
  enum Unknowns: Sendable {
    case filters(FeatureKernel, [Float], Strand)
    case completion(Float)
    case none
  }

  /// The largest width for which a random-kernel table is built (4^10 entries, 4 MB).
  public static let maximumWidth = 10

  /// Folds a random-feature model into a table.
  /// - Complexity: 4^n · M cosines.
  public init(model: CKSModel, threadCount: Int = 1) {
    precondition(
      model.filterWidth <= Self.maximumWidth,
      "n-mer tables are built for n <= \(Self.maximumWidth), got \(model.filterWidth)")
    let n = model.filterWidth
    let count = 1 << (2 * n)
    var single = [Float](repeating: 0, count: count)
    let block = 4096
    let kernel = FeatureKernel(filters: model.filters())
    let weights = model.ridge.weights
    single.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      let destination = SendablePointer(base: base)
      parallelFor((count + block - 1) / block, threadCount: threadCount) { b in
        let range = (b * block)..<min(count, (b + 1) * block)
        var codes = [UInt8]()
        codes.reserveCapacity(range.count * n)
        for index in range { codes += Self.sequence(ofIndex: index, width: n).codes }
        codes.withUnsafeBufferPointer { windows in
          kernel.windowScores(
            of: windows, count: range.count, weights: weights,
            into: destination.base + range.lowerBound)
        }
      }
    }
    let folded =
      model.strand == .both
      ? (0..<count).map { single[$0] + single[Self.reverseComplement(ofIndex: $0, width: n)] }
      : single
    self.init(model: model, values: folded)
  }

  /// A random-feature model with a table computed before (e.g. read from a model file).
  public init(model: CKSModel, values: [Float]) {
    precondition(values.count == 1 << (2 * model.filterWidth), "table size mismatch")
    filterWidth = model.filterWidth
    alphabetSize = 4
    self.values = values
    intercept = model.ridge.intercept
    unknowns = .filters(FeatureKernel(filters: model.filters()), model.ridge.weights, model.strand)
  }

  /// An exact-kernel model's table.
  public init(exact model: ExactModel) {
    filterWidth = model.filterWidth
    alphabetSize = model.alphabetSize
    values = model.table
    intercept = model.intercept
    if model.alphabetSize == 4 {
      let g = model.gamma
      unknowns = .completion(Float(_exp(-g / 2) / (1 + 3 * _exp(-g))))
    } else {
      unknowns = .none
    }
  }

  /// The n-mer with 4-letter table index `index`.
  static func sequence(ofIndex index: Int, width n: Int) -> DNASequence {
    DNASequence(uncheckedCodes: (0..<n).map { UInt8((index >> (2 * (n - 1 - $0))) & 3) })
  }

  /// The 4-letter index of the reverse complement of the n-mer with index `index`.
  static func reverseComplement(ofIndex index: Int, width n: Int) -> Int {
    var result = 0
    var rest = index
    for _ in 0..<n {
      result = (result << 2) | (3 - (rest & 3))
      rest >>= 2
    }
    return result
  }

  /// The score b + Σ_windows T[window] of one sequence.
  public func score(_ sequence: DNASequence) -> Float {
    var sum: Float = 0
    let n = filterWidth
    let indexing = NmerIndexing(width: n, alphabetSize: alphabetSize)
    sequence.codes.withUnsafeBufferPointer { codes in
      values.withUnsafeBufferPointer { table in
        // Strands are folded into the table, so windows are walked on the given strand only.
        indexing.forEachWindow(
          codes, strand: .forward,
          unknown: { start in sum += unknownWindowTerm(Array(codes[start..<(start + n)])) }
        ) { sum += table[$0] }
      }
    }
    return sum + intercept
  }

  /// Scores many sequences, split among `threadCount` threads (same result for any count).
  public func scores(of sequences: [DNASequence], threadCount: Int = 1) -> [Float] {
    parallelScores(count: sequences.count, threadCount: threadCount) { score(sequences[$0]) }
  }

  /// Scores the sequences of `sequences` whose bit in `selected` is set, in index order.
  public func scores(
    of sequences: PackedSequences, where selected: BitVector, threadCount: Int = 1
  ) -> [Float] {
    let indices = (0..<sequences.count).filter { selected[$0] }
    return parallelScores(count: indices.count, threadCount: threadCount) {
      score(sequences[indices[$0]])
    }
  }

  /// `[scoreOf(0), …, scoreOf(count − 1)]`, in blocks of 4,096 over the threads.
  private func parallelScores(
    count: Int, threadCount: Int, _ scoreOf: @Sendable (Int) -> Float
  ) -> [Float] {
    var result = [Float](repeating: 0, count: count)
    result.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      let destination = SendablePointer(base: base)
      let block = 4096
      parallelFor((count + block - 1) / block, threadCount: threadCount) { b in
        for k in (b * block)..<min(count, (b + 1) * block) { destination.base[k] = scoreOf(k) }
      }
    }
    return result
  }

  /// The term of one 4-letter-table window that contains an ambiguity code.
  private func unknownWindowTerm(_ codes: [UInt8]) -> Float {
    switch unknowns {
    case .filters(let kernel, let weights, let strand):
      var windows = codes
      if strand == .both { windows += DNASequence(uncheckedCodes: codes).reverseComplement.codes }
      var terms = [Float](repeating: 0, count: strand == .both ? 2 : 1)
      windows.withUnsafeBufferPointer { window in
        terms.withUnsafeMutableBufferPointer { out in
          guard let base = out.baseAddress else { return }
          kernel.windowScores(of: window, count: out.count, weights: weights, into: base)
        }
      }
      return terms.reduce(0, +)
    case .completion(let beta):
      let unknown = codes.indices.filter { codes[$0] == 4 }
      var sum: Float = 0
      for fill in 0..<(1 << (2 * unknown.count)) {
        var index = 0
        var k = 0
        for code in codes {
          var digit = Int(code)
          if digit == 4 {
            digit = (fill >> (2 * k)) & 3
            k += 1
          }
          index = (index << 2) | digit
        }
        sum += values[index]
      }
      var factor: Float = 1
      for _ in unknown { factor *= beta }
      return factor * sum
    case .none:
      return 0
    }
  }
}
