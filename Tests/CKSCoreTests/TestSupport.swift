import Foundation

@testable import CKSCore

/// Random sequences over ACGT (and N when `withN`), seeded.
func randomSequences(count: Int, length: Int, seed: UInt64, withN: Bool = false) -> [DNASequence] {
  var generator = SplitMix64(seed: seed)
  return (0..<count).map { _ in
    DNASequence(codes: (0..<length).map { _ in UInt8(generator.nextIndex(below: withN ? 5 : 4)) })
  }
}

/// Solves A x = b (dense, n × n, row-major) by Gaussian elimination with partial pivoting.
func solveDense(_ a: [[Double]], _ b: [Double]) -> [Double] {
  var a = a
  var b = b
  let n = b.count
  for column in 0..<n {
    let pivot = (column..<n).max { abs(a[$0][column]) < abs(a[$1][column]) }!
    a.swapAt(column, pivot)
    b.swapAt(column, pivot)
    for row in (column + 1)..<n {
      let factor = a[row][column] / a[column][column]
      for k in column..<n { a[row][k] -= factor * a[column][k] }
      b[row] -= factor * b[column]
    }
  }
  var x = [Double](repeating: 0, count: n)
  for row in stride(from: n - 1, through: 0, by: -1) {
    var sum = b[row]
    for k in (row + 1)..<n { sum -= a[row][k] * x[k] }
    x[row] = sum / a[row][row]
  }
  return x
}

/// The exact convolutional n-gram kernel by brute force over all window pairs:
/// Σ_{i,j} Π_l a(x[i+l], y[j+l]) with a = 1 (same), exp(−γ) (two different bases),
/// exp(−γ/2) (one N: its one-hot column is zero).
func bruteForceKernel(_ x: DNASequence, _ y: DNASequence, width n: Int, gamma: Double) -> Double {
  func a(_ s: UInt8, _ t: UInt8) -> Double {
    if s == t { return 1 }
    if s == 4 || t == 4 { return Foundation.exp(-gamma / 2) }
    return Foundation.exp(-gamma)
  }
  var total = 0.0
  for i in 0...(x.count - n) {
    for j in 0...(y.count - n) {
      var product = 1.0
      for l in 0..<n { product *= a(x.codes[i + l], y.codes[j + l]) }
      total += product
    }
  }
  return total
}
