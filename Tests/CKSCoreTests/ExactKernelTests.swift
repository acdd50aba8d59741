import Foundation
import Testing

@testable import CKSCore

@Suite struct ExactKernelTests {
  /// φ(x) = (A^{1/2})^{⊗n} c(x).
  func featureMap(_ x: DNASequence, width n: Int, alphabetSize q: Int, gamma: Double) -> [Double] {
    let indexing = NmerIndexing(width: n, alphabetSize: q)
    var counts = [Double](repeating: 0, count: indexing.count)
    x.codes.withUnsafeBufferPointer { codes in
      indexing.forEachWindow(codes, strand: .forward) { counts[$0] += 1 }
    }
    let root = symmetricSquareRoot(baseKernel(gamma: gamma, alphabetSize: q), order: q)
    kroneckerPowerApply(root, alphabetSize: q, width: n, to: &counts)
    return counts
  }

  @Test(arguments: [(3, false, 0.5), (4, false, 1.3), (3, true, 0.7), (2, true, 2.0)])
  func kroneckerFeatureMapMatchesBruteForce(width: Int, withN: Bool, gamma: Double) {
    let sequences = randomSequences(count: 5, length: 12, seed: 3, withN: withN)
    let q = withN ? 5 : 4
    let features = sequences.map { featureMap($0, width: width, alphabetSize: q, gamma: gamma) }
    for p in 0..<5 {
      for r in p..<5 {
        let exact = bruteForceKernel(sequences[p], sequences[r], width: width, gamma: gamma)
        let viaMap = dot(features[p], features[r])
        #expect(abs(viaMap - exact) <= 1e-10 * max(1, exact), "\(viaMap) vs \(exact)")
      }
    }
  }

  /// The cache-blocked transform (strips for the high digits, rows for the low ones) against a
  /// naive axis-by-axis product, at n = 8 (so both passes run), on 1, 2 and 3 threads.
  @Test func blockedTransformMatchesNaiveAxisProducts() {
    let n = 8
    let count = 1 << (2 * n)
    var generator = SplitMix64(seed: 31)
    let input = (0..<count).map { _ in generator.nextStandardNormal() }
    let (alpha, beta) = (0.7, 0.2)
    var naive = input
    var stride = count / 4
    for _ in 0..<n {
      var next = naive
      for index in 0..<count {
        let digit = (index / stride) % 4
        let base = index - digit * stride
        var sum = 0.0
        for k in 0..<4 { sum += (k == digit ? alpha + beta : beta) * naive[base + k * stride] }
        next[index] = sum
      }
      naive = next
      stride /= 4
    }
    var results = [[Double]]()
    for threads in [1, 2, 3] {
      var x = input
      x.withUnsafeMutableBufferPointer { buffer in
        diagonalPlusConstantPowerApply(
          alpha: alpha, beta: beta, alphabetSize: 4, width: n, to: buffer.baseAddress!,
          threadCount: threads)
      }
      results.append(x)
    }
    let scale = naive.map(abs).max()!
    for k in 0..<count { #expect(abs(results[0][k] - naive[k]) <= 1e-12 * scale) }
    #expect(results[1] == results[0] && results[2] == results[0])
  }

  @Test func squareRootSquaresBack() {
    for q in [4, 5] {
      let a = baseKernel(gamma: 0.8, alphabetSize: q)
      let root = symmetricSquareRoot(a, order: q)
      for i in 0..<q {
        for j in 0..<q {
          var sum = 0.0
          for k in 0..<q { sum += root[i * q + k] * root[k * q + j] }
          #expect(abs(sum - a[i * q + j]) < 1e-12)
        }
      }
    }
  }

  /// CG against a dense direct solve of the normal equations with an intercept, at n = 3.
  @Test(arguments: [(4, false), (5, true)])
  func conjugateGradientsMatchDenseSolve(alphabetSize q: Int, withN: Bool) throws {
    let n = 3
    let gamma = 0.9
    let penalty = 2.5
    let sequences = randomSequences(count: 40, length: 15, seed: 8, withN: withN)
    var generator = SplitMix64(seed: 2)
    let labels = sequences.map { _ in generator.nextIndex(below: 2) == 1 }
    var solver = ExactRidge(
      sequences: sequences, labels: labels, filterWidth: n, alphabetSize: q, strand: .forward,
      threadCount: 2)
    solver.tolerance = 1e-12
    let solution = try solver.solve(gamma: gamma, penalty: penalty)
    // Dense: rows φ(x_i) plus a constant 1 (unpenalised intercept).
    let d = NmerIndexing(width: n, alphabetSize: q).count
    let rows = sequences.map { featureMap($0, width: n, alphabetSize: q, gamma: gamma) + [1] }
    var a = [[Double]](repeating: [Double](repeating: 0, count: d + 1), count: d + 1)
    var rhs = [Double](repeating: 0, count: d + 1)
    for (row, label) in zip(rows, labels) {
      let y = label ? 1.0 : -1.0
      for i in 0...d {
        rhs[i] += row[i] * y
        for j in 0...d { a[i][j] += row[i] * row[j] }
      }
    }
    for i in 0..<d { a[i][i] += penalty }
    let direct = solveDense(a, rhs)
    // Compare scores (the table is K^{1/2} w, the dense solve gives w in feature space).
    for (index, sequence) in sequences.enumerated() {
      var table = 0.0
      sequence.codes.withUnsafeBufferPointer { codes in
        NmerIndexing(width: n, alphabetSize: q).forEachWindow(codes, strand: .forward) {
          table += solution.table[$0]
        }
      }
      let viaTable = table + solution.intercept
      let viaDense = dot(Array(rows[index][0..<d]), Array(direct[0..<d])) + direct[d]
      #expect(abs(viaTable - viaDense) < 1e-8, "\(viaTable) vs \(viaDense)")
    }
    #expect(solution.relativeResidual <= 1e-12)
  }

  /// Sample weights: weight 2 on a row is the row given twice (an independent route: the
  /// unweighted solver, itself checked against the dense solve above), at n = 4, both strands.
  @Test func integerSampleWeightsEqualRepeatedRows() throws {
    let sequences = randomSequences(count: 60, length: 20, seed: 21)
    let labels = (0..<60).map { $0 % 3 != 0 }
    let weights = (0..<60).map { Double(1 + $0 % 2) }
    var packed = PackedSequences()
    var bits = BitVector()
    var repeatedSequences = [DNASequence]()
    var repeatedLabels = [Bool]()
    for (i, sequence) in sequences.enumerated() {
      packed.append(sequence)
      bits.append(labels[i])
      for _ in 0..<Int(weights[i]) {
        repeatedSequences.append(sequence)
        repeatedLabels.append(labels[i])
      }
    }
    var weighted = ExactRidge(
      sequences: packed, labels: bits, sampleWeights: weights, filterWidth: 4, alphabetSize: 4,
      strand: .both, threadCount: 2)
    weighted.tolerance = 1e-13
    var repeated = ExactRidge(
      sequences: repeatedSequences, labels: repeatedLabels, filterWidth: 4, alphabetSize: 4,
      strand: .both, threadCount: 2)
    repeated.tolerance = 1e-13
    let a = try weighted.solve(gamma: 0.7, penalty: 3)
    let b = try repeated.solve(gamma: 0.7, penalty: 3)
    #expect(abs(a.intercept - b.intercept) < 1e-8)
    let scale = b.table.map(abs).max()!
    for k in a.table.indices { #expect(abs(a.table[k] - b.table[k]) <= 1e-8 * max(1, scale)) }
  }

  @Test func scatterAndGatherDoNotDependOnThreadCount() throws {
    let sequences = randomSequences(count: 3000, length: 30, seed: 5)
    let labels = (0..<3000).map { $0 % 3 == 0 }
    let one = ExactRidge(
      sequences: sequences, labels: labels, filterWidth: 5, alphabetSize: 4, strand: .both,
      threadCount: 1)
    let two = ExactRidge(
      sequences: sequences, labels: labels, filterWidth: 5, alphabetSize: 4, strand: .both,
      threadCount: 2)
    let first = try one.solve(gamma: 1, penalty: 10).table
    let second = try two.solve(gamma: 1, penalty: 10).table
    #expect(first == second)
  }

  /// A 4-letter table scores windows with N exactly: β^k Σ over completions equals the kernel
  /// expansion Σ_{m'} K(m_N, m') v[m'] with v = K^{-1} u.
  @Test func unknownBasesAreScoredByCompletion() {
    let n = 3
    let gamma = 0.6
    var generator = SplitMix64(seed: 4)
    let u = (0..<64).map { _ in Float(generator.nextStandardNormal()) }
    let model = ExactModel(
      filterWidth: n, alphabetSize: 4, gamma: gamma, penalty: 1, strand: .forward, table: u,
      intercept: 0)
    // v = K^{-1} u through the Kronecker power of A^{-1}.
    let e = Foundation.exp(-gamma)
    let inverse = (0..<16).map { k -> Double in
      // A = (1 − e) I + e 11ᵀ, so A⁻¹ = (I − e/(1 + 3e) 11ᵀ) / (1 − e).
      ((k % 5 == 0 ? 1 : 0) - e / (1 + 3 * e)) / (1 - e)
    }
    var v = u.map(Double.init)
    kroneckerPowerApply(inverse, alphabetSize: 4, width: n, to: &v)
    let window = DNASequence(codes: [2, 4, 1])  // G N C
    var expected = 0.0
    for m in 0..<64 {
      let codes = NmerTable.sequence(ofIndex: m, width: n).codes
      var k = 1.0
      for l in 0..<n {
        let s = window.codes[l]
        k *= s == 4 ? Foundation.exp(-gamma / 2) : (s == codes[l] ? 1 : e)
      }
      expected += k * v[m]
    }
    let score = Double(NmerTable(exact: model).score(window))
    #expect(abs(score - expected) < 1e-4 * max(1, abs(expected)), "\(score) vs \(expected)")
  }

  @Test func bothStrandsScoreASequenceAndItsReverseComplementAlike() throws {
    let sequences = randomSequences(count: 200, length: 40, seed: 6)
    let labels = (0..<200).map { $0 % 2 == 0 }
    var options = TrainingOptions()
    options.kernel = .exact
    options.strand = .both
    options.filterWidth = 5
    options.gammas = [1]
    options.penalties = [10]
    options.holdoutFraction = 0
    let exact = try Trainer(options: options).train(
      sequences: sequences, labels: labels, groups: Array(0..<200)
    ).model.scorer()
    options.kernel = .random
    options.featureCount = 64
    let random = try Trainer(options: options).train(
      sequences: sequences, labels: labels, groups: Array(0..<200)
    ).model.scorer()
    let test = randomSequences(count: 20, length: 40, seed: 7, withN: true)
    for scorer in [exact, random] {
      let forward = scorer.scores(of: test)
      let reverse = scorer.scores(of: test.map(\.reverseComplement))
      for (f, r) in zip(forward, reverse) { #expect(abs(f - r) <= 1e-4 * max(1, abs(f))) }
    }
  }

  /// With many random features, the random-kernel model's predictions approach the exact one's.
  @Test func randomFeaturesApproachExactPredictions() throws {
    var generator = SplitMix64(seed: 12)
    let sequences = (0..<300).map { index -> DNASequence in
      var codes = (0..<30).map { _ in UInt8(generator.nextIndex(below: 4)) }
      if index % 2 == 0 { codes.replaceSubrange(10..<15, with: [2, 2, 0, 0, 3]) }
      return DNASequence(codes: codes)
    }
    let labels = (0..<300).map { $0 % 2 == 0 }
    let test = randomSequences(count: 60, length: 30, seed: 13)
    func predictions(kernel: KernelKind, features: Int) throws -> [Double] {
      var options = TrainingOptions()
      options.kernel = kernel
      options.filterWidth = 4
      options.featureCount = features
      options.gammas = [0.7]
      options.penalties = [30]
      options.holdoutFraction = 0
      options.threadCount = 2
      let model = try Trainer(options: options).train(
        sequences: sequences, labels: labels, groups: Array(0..<300)
      ).model
      return model.scorer(threadCount: 2).scores(of: test).map(Double.init)
    }
    let exact = try predictions(kernel: .exact, features: 1)
    func relativeError(_ features: Int) throws -> Double {
      let random = try predictions(kernel: .random, features: features)
      let difference = zip(random, exact).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
      let centred = exact.map { $0 - exact.reduce(0, +) / Double(exact.count) }
      return (difference / centred.map { $0 * $0 }.reduce(0, +)).squareRoot()
    }
    let coarse = try relativeError(256)
    let fine = try relativeError(16384)
    #expect(fine < 0.15, "relative prediction error with M=16384: \(fine)")
    #expect(fine < coarse / 3, "M=256: \(coarse), M=16384: \(fine)")
  }
}
