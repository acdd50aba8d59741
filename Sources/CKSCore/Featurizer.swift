/// The random-feature map φ of Convolutional Kitchen Sinks (thesis Algorithm 2).
///
/// ```
/// φ_j(x) = √(2/M) · Σ_{i=0}^{L−n} cos(w_j · x[i..<i+n] + b_j),   j = 0..<M
/// ```
/// with x one-hot (an N column is all zeros). φ(x) · φ(y) approximates the convolutional
/// n-gram kernel Σ_{i,j} exp(−γ · Hamming(x[i..<i+n], y[j..<j+n])) as M grows.
/// A sequence shorter than n has no windows: all its features are zero.
/// Each sequence's features are computed by one thread with the same code, so results are
/// bit-identical for every thread count.
public struct Featurizer: Sendable {
  /// The filters.
  public let filters: RandomFilterBank
  let kernel: FeatureKernel

  /// Strands whose features are summed: φ(x), or φ(x) + φ(rc x) for `.both`.
  public let strand: Strand

  /// Prepares the lookup tables for `filters`.
  public init(filters: RandomFilterBank, strand: Strand = .forward) {
    self.filters = filters
    self.strand = strand
    kernel = FeatureKernel(filters: filters)
  }

  /// Number of features M.
  public var featureCount: Int { filters.featureCount }

  /// The features of `sequences`, row-major, `sequences.count × M`.
  /// - Parameter threadCount: worker threads (≥ 1); the result does not depend on it.
  /// - Complexity: Σ (L − n + 1) · M cosines.
  public func features(of sequences: [DNASequence], threadCount: Int = 1) -> Matrix {
    var matrix = Matrix(rowCount: sequences.count, columnCount: featureCount)
    matrix.values.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      writeFeatures(of: sequences, into: base, threadCount: threadCount)
    }
    return matrix
  }

  /// Overwrites `matrix` (row-major, `sequences.count × M`) with the features of `sequences`,
  /// reusing its storage.
  public func writeFeatures(
    of sequences: [DNASequence], into matrix: inout Matrix, threadCount: Int = 1
  ) {
    precondition(
      matrix.rowCount == sequences.count && matrix.columnCount == featureCount,
      "matrix is \(matrix.rowCount)×\(matrix.columnCount), features are \(sequences.count)×\(featureCount)"
    )
    matrix.values.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      writeFeatures(of: sequences, into: base, threadCount: threadCount)
    }
  }

  /// Writes features of `sequences` into `output` (row-major, `sequences.count × M`).
  func writeFeatures(
    of sequences: [DNASequence], into output: UnsafeMutablePointer<Float>, threadCount: Int
  ) {
    let block = 32
    let blockCount = (sequences.count + block - 1) / block
    let destination = SendablePointer(base: output)
    let kernel = self.kernel
    let m = featureCount
    parallelFor(blockCount, threadCount: threadCount) { b in
      var offsets = [Int]()
      let range = (b * block)..<min(sequences.count, (b + 1) * block)
      kernel.features(
        of: sequences[range], strand: strand, into: destination.base + range.lowerBound * m,
        offsets: &offsets)
    }
  }

  /// φ(x) by the plain formula with Foundation's cosine, for tests.
  public func referenceFeatures(of sequence: DNASequence) -> [Double] {
    let windowCount = sequence.count - filters.filterWidth + 1
    let scale = (2.0 / Double(featureCount)).squareRoot()
    return (0..<featureCount).map { j in
      guard windowCount > 0 else { return 0 }
      var sum = 0.0
      for i in 0..<windowCount {
        sum += _cos(Double(filters.response(feature: j, of: sequence, at: i)))
      }
      return scale * sum
    }
  }
}
