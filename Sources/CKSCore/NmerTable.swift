/// A trained linear CKS model folded into one number per n-mer: the fast exact scoring route.
///
/// The score is linear in the features and the features are sums over windows, so
/// ```
/// score(x) = b + Σ_windows T[window],   T[k] = √(2/M) Σ_j w_j cos(w_j · k + b_j)
/// ```
/// where k runs over the 4^n n-mers of A, C, G, T (index: 2 bits per base, first base highest;
/// A=0, C=1, G=2, T=3). A window that contains an N (or other ambiguity code) is not in the table;
/// its term is computed from the filters directly, by the same formula. Building the table costs
/// 4^n · M cosines (n = 8, M = 8192: about 0.1 s on two cores); each score then costs one lookup
/// per window instead of M cosines.
public struct NmerTable: Sendable {
  /// Filter width n.
  public let filterWidth: Int
  /// T[k] for the 4^n n-mers, indexed as described above.
  public let values: [Float]
  /// Intercept b.
  public let intercept: Float
  let featurizer: Featurizer
  let weights: [Float]

  /// The largest width for which a table is built (4^10 entries, 4 MB).
  public static let maximumWidth = 10

  /// Folds `model` into a table.
  /// - Parameter threadCount: worker threads; the table does not depend on it.
  /// - Complexity: 4^n · M cosines.
  public init(model: CKSModel, threadCount: Int = 1) {
    precondition(
      model.filterWidth <= Self.maximumWidth,
      "n-mer tables are built for n <= \(Self.maximumWidth), got \(model.filterWidth)")
    let n = model.filterWidth
    filterWidth = n
    intercept = model.ridge.intercept
    weights = model.ridge.weights
    featurizer = Featurizer(filters: model.filters())
    let count = 1 << (2 * n)
    var values = [Float](repeating: 0, count: count)
    let block = 4096
    let kernel = featurizer.kernel
    let weights = model.ridge.weights
    values.withUnsafeMutableBufferPointer { buffer in
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
    self.values = values
  }

  /// The n-mer with table index `index`.
  static func sequence(ofIndex index: Int, width n: Int) -> DNASequence {
    DNASequence(uncheckedCodes: (0..<n).map { UInt8((index >> (2 * (n - 1 - $0))) & 3) })
  }

  /// The score b + Σ_windows T[window] of one sequence.
  public func score(_ sequence: DNASequence) -> Float {
    let n = filterWidth
    let mask = (1 << (2 * n)) - 1
    var sum: Float = 0
    var index = 0
    var lastUnknown = -1
    sequence.codes.withUnsafeBufferPointer { codes in
      values.withUnsafeBufferPointer { table in
        for i in 0..<codes.count {
          let code = Int(codes[i])
          if code == 4 {
            lastUnknown = i
            index = (index << 2) & mask
          } else {
            index = ((index << 2) | code) & mask
          }
          guard i >= n - 1 else { continue }
          if lastUnknown <= i - n {
            sum += table[index]
          } else {
            sum += windowTerm(Array(codes[(i - n + 1)...i]))
          }
        }
      }
    }
    return sum + intercept
  }

  /// Scores many sequences, split among `threadCount` threads (same result for any count).
  public func scores(of sequences: [DNASequence], threadCount: Int = 1) -> [Float] {
    var result = [Float](repeating: 0, count: sequences.count)
    result.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      let destination = SendablePointer(base: base)
      let block = 4096
      parallelFor((sequences.count + block - 1) / block, threadCount: threadCount) { b in
        for s in (b * block)..<min(sequences.count, (b + 1) * block) {
          destination.base[s] = score(sequences[s])
        }
      }
    }
    return result
  }

  /// w · φ(window) for one window that contains an ambiguity code.
  private func windowTerm(_ codes: [UInt8]) -> Float {
    var result: Float = 0
    codes.withUnsafeBufferPointer { window in
      featurizer.kernel.windowScores(of: window, count: 1, weights: weights, into: &result)
    }
    return result
  }
}
