import Testing

@testable import CKSCore

@Suite struct NmerTableTests {
  func model(width: Int, featureCount: Int, seed: UInt64) -> CKSModel {
    var generator = SplitMix64(seed: seed)
    let weights = (0..<featureCount).map { _ in Float(generator.nextStandardNormal()) }
    return CKSModel(
      filterWidth: width, featureCount: featureCount, gamma: 0.7, seed: seed,
      ridge: RidgeModel(penalty: 1, weights: weights, intercept: -0.3))
  }

  @Test(arguments: [(1, 16), (4, 64), (6, 100), (8, 256)])
  func tableRouteMatchesDirectRoute(width: Int, featureCount: Int) {
    let model = model(width: width, featureCount: featureCount, seed: UInt64(width))
    // Mixed lengths, some shorter than n, some with N.
    var sequences = randomSequences(count: 40, length: 101, seed: 1)
    sequences += randomSequences(count: 20, length: 30, seed: 2, withN: true)
    sequences.append(DNASequence(codes: [0, 1]))
    let direct = CKSModel.Scorer(model: model, route: .direct).scores(of: sequences)
    let table = CKSModel.Scorer(model: model, route: .table).scores(of: sequences)
    let windows = 101.0
    for (a, b) in zip(direct, table) {
      // Each of ≤ 101 window terms carries float rounding of order 1e-6 · Σ|w_j| √(2/M).
      let tolerance = 1e-5 * windows * (2.0 * Double(featureCount)).squareRoot()
      #expect(abs(Double(a) - Double(b)) <= tolerance, "direct \(a) table \(b)")
    }
    #expect(table == CKSCore.NmerTable(model: model).scores(of: sequences, threadCount: 3))
  }

  @Test func indexIsTwoBitsPerBaseFirstBaseHighest() {
    #expect(NmerTable.sequence(ofIndex: 0b00_01_10_11, width: 4).codes == [0, 1, 2, 3])
    #expect(NmerTable.sequence(ofIndex: 0b11_00, width: 2).codes == [3, 0])
  }
}
