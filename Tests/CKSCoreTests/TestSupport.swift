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
