import Testing

@testable import CKSCore

@Suite struct RidgeRegressionTests {
  func problem(rows: Int, columns: Int, seed: UInt64) -> (Matrix, [Float]) {
    var generator = SplitMix64(seed: seed)
    let x = Matrix(
      rowCount: rows, columnCount: columns,
      values: (0..<(rows * columns)).map { _ in Float(generator.nextStandardNormal() + 0.3) })
    let y = (0..<rows).map { _ in Float(generator.nextIndex(below: 2) * 2) - 1 }
    return (x, y)
  }

  /// Normal equations with an unpenalised intercept, solved directly in Double.
  func directSolve(_ x: Matrix, _ y: [Float], penalty: Double) -> (w: [Double], b: Double) {
    let m = x.columnCount
    var a = [[Double]](repeating: [Double](repeating: 0, count: m + 1), count: m + 1)
    var rhs = [Double](repeating: 0, count: m + 1)
    for row in 0..<x.rowCount {
      let features = x.row(row).map(Double.init) + [1]
      for i in 0...m {
        rhs[i] += features[i] * Double(y[row])
        for j in 0...m { a[i][j] += features[i] * features[j] }
      }
    }
    for i in 0..<m { a[i][i] += penalty }
    let solution = solveDense(a, rhs)
    return (Array(solution[0..<m]), solution[m])
  }

  @Test(arguments: [0.0, 0.1, 10.0, 1000.0])
  func matchesDirectSolveOnTinySystems(penalty: Double) throws {
    let (x, y) = problem(rows: 40, columns: 6, seed: 2)
    var regression = RidgeRegression(featureCount: 6)
    regression.add(x, labels: y)
    let model = try regression.fit(penalty: penalty)
    let oracle = directSolve(x, y, penalty: penalty)
    let scale = max(1e-3, oracle.w.map(abs).max()!)
    for j in 0..<6 {
      #expect(abs(Double(model.weights[j]) - oracle.w[j]) <= 1e-4 * scale)
    }
    #expect(abs(Double(model.intercept) - oracle.b) <= 1e-4 * max(1, abs(oracle.b)))
  }

  @Test func chunkedAccumulationMatchesOneShotAndThreadsAgree() throws {
    let (x, y) = problem(rows: 300, columns: 1100, seed: 3)
    var whole = RidgeRegression(featureCount: 1100)
    whole.add(x, labels: y, threadCount: 1)
    var parallel = RidgeRegression(featureCount: 1100)
    parallel.add(x, labels: y, threadCount: 3)
    #expect(whole.gram == parallel.gram)
    var chunked = RidgeRegression(featureCount: 1100)
    for start in stride(from: 0, to: 300, by: 70) {
      let end = min(300, start + 70)
      let part = Matrix(
        rowCount: end - start, columnCount: 1100,
        values: Array(x.values[(start * 1100)..<(end * 1100)]))
      chunked.add(part, labels: Array(y[start..<end]))
    }
    let a = try whole.fit(penalty: 5)
    let b = try chunked.fit(penalty: 5)
    let scale = a.weights.map(abs).max()!
    for j in 0..<1100 { #expect(abs(a.weights[j] - b.weights[j]) <= 1e-3 * scale) }
  }

  @Test func singularSystemIsAnErrorNotNaN() {
    // 5 rows, 20 features, no penalty: XᵀX has rank ≤ 5.
    let (x, y) = problem(rows: 5, columns: 20, seed: 4)
    var regression = RidgeRegression(featureCount: 20)
    regression.add(x, labels: y)
    #expect(throws: RidgeError.notPositiveDefinite(penalty: 0)) { try regression.fit(penalty: 0) }
    #expect(throws: RidgeError.invalidPenalty(-1)) { try regression.fit(penalty: -1) }
    #expect(throws: RidgeError.noData) { try RidgeRegression(featureCount: 3).fit(penalty: 1) }
  }

  @Test func scoresAreWeightsDotFeaturesPlusIntercept() {
    let model = RidgeModel(penalty: 1, weights: [1, -2, 0.5], intercept: 0.25)
    let x = Matrix(rowCount: 2, columnCount: 3, values: [1, 1, 1, 0, 2, 4])
    #expect(model.scores(of: x) == [-0.25, -1.75])
  }
}
