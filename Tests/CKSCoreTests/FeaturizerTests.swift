import Foundation
import Testing

@testable import CKSCore

@Suite struct FeaturizerTests {
  func meanRelativeError(featureCount: Int, withN: Bool) -> Double {
    let sequences = randomSequences(count: 6, length: 10, seed: 11, withN: withN)
    let gamma = 0.5
    let featurizer = Featurizer(
      filters: RandomFilterBank(filterWidth: 3, featureCount: featureCount, gamma: gamma, seed: 4))
    let features = featurizer.features(of: sequences)
    var total = 0.0
    var pairs = 0
    for p in 0..<sequences.count {
      for q in p..<sequences.count {
        var dot = 0.0
        for j in 0..<featureCount { dot += Double(features[p, j]) * Double(features[q, j]) }
        let exact = bruteForceKernel(sequences[p], sequences[q], width: 3, gamma: gamma)
        total += abs(dot - exact) / exact
        pairs += 1
      }
    }
    return total / Double(pairs)
  }

  @Test(arguments: [false, true])
  func featureDotProductsApproachTheExactKernel(withN: Bool) {
    let coarse = meanRelativeError(featureCount: 256, withN: withN)
    let fine = meanRelativeError(featureCount: 65_536, withN: withN)
    // Monte-Carlo error shrinks like 1/√M: 16x from M = 256 to 65,536.
    #expect(fine < 0.02, "mean relative error at M=65536: \(fine)")
    #expect(fine < coarse / 4, "M=256: \(coarse), M=65536: \(fine)")
  }

  @Test(arguments: [(8, 100, false), (5, 37, true), (1, 13, true), (12, 60, false)])
  func lookupKernelMatchesPlainFormula(width: Int, featureCount: Int, withN: Bool) {
    let sequences = randomSequences(count: 5, length: 101, seed: 2, withN: withN)
    let featurizer = Featurizer(
      filters: RandomFilterBank(filterWidth: width, featureCount: featureCount, gamma: 1, seed: 9))
    let fast = featurizer.features(of: sequences)
    let windows = Double(101 - width + 1)
    let tolerance = 1e-6 * windows * (2.0 / Double(featureCount)).squareRoot() + 1e-6
    for (row, sequence) in sequences.enumerated() {
      let reference = featurizer.referenceFeatures(of: sequence)
      for j in 0..<featureCount {
        #expect(abs(Double(fast[row, j]) - reference[j]) <= tolerance * max(1, abs(reference[j])))
      }
    }
  }

  /// A sequence longer than one offset buffer (about 130 kbp here) is featurized in segments,
  /// in a batch with short ones, on both strands: it still matches the plain formula.
  @Test func longSequencesAreDoneInSegments() {
    let long = randomSequences(count: 1, length: 140_000, seed: 6, withN: true)[0]
    let short = randomSequences(count: 3, length: 50, seed: 7)
    let featurizer = Featurizer(
      filters: RandomFilterBank(filterWidth: 8, featureCount: 20, gamma: 1, seed: 2),
      strand: .both)
    let batch = [short[0], long, short[1], short[2]]
    #expect(long.count * 4 * 2 > FeatureKernel.maximumOffsets)
    let fast = featurizer.features(of: batch)
    for (row, sequence) in batch.enumerated() {
      let forward = featurizer.referenceFeatures(of: sequence)
      let reverse = featurizer.referenceFeatures(of: sequence.reverseComplement)
      let windows = Double(2 * (sequence.count - 7))
      let tolerance = 1e-6 * windows * (2.0 / 20).squareRoot() + 1e-6
      for j in 0..<20 {
        let reference = forward[j] + reverse[j]
        #expect(abs(Double(fast[row, j]) - reference) <= tolerance * max(1, abs(reference)))
      }
    }
  }

  @Test func sameSeedGivesBitIdenticalFeaturesForAnyThreadCount() {
    let sequences = randomSequences(count: 40, length: 101, seed: 5)
    let make = { (threads: Int) -> Matrix in
      Featurizer(filters: RandomFilterBank(filterWidth: 8, featureCount: 64, gamma: 1, seed: 3))
        .features(of: sequences, threadCount: threads)
    }
    let one = make(1)
    #expect(one == make(1))
    #expect(one == make(2))
    #expect(one == make(4))
    let other = Featurizer(
      filters: RandomFilterBank(filterWidth: 8, featureCount: 64, gamma: 1, seed: 4))
    #expect(other.features(of: sequences) != one)
  }

  @Test func filterDrawsFollowTheDocumentedContract() {
    let bank = RandomFilterBank(filterWidth: 2, featureCount: 3, gamma: 4, seed: 17)
    var generator = SplitMix64(seed: 17)
    for j in 0..<3 {
      for row in 0..<8 {
        #expect(bank.weights[row * 3 + j] == Float(2 * generator.nextStandardNormal()))
      }
      #expect(bank.phases[j] == Float(2 * Double.pi * generator.nextUnitDouble()))
    }
  }

  @Test func shortSequencesHaveZeroFeaturesAndNAddsNothing() throws {
    let featurizer = Featurizer(
      filters: RandomFilterBank(filterWidth: 4, featureCount: 32, gamma: 1, seed: 1))
    let short = try DNASequence.parse(Array("ACG".utf8)).get()
    #expect(featurizer.features(of: [short]).values.allSatisfy { $0 == 0 })
    // A window of only N has response b_j: its feature is √(2/M) cos(b_j).
    let allN = try DNASequence.parse(Array("NNNN".utf8)).get()
    let features = featurizer.features(of: [allN])
    for j in 0..<32 {
      let expected = (2.0 / 32).squareRoot() * Foundation.cos(Double(featurizer.filters.phases[j]))
      #expect(abs(Double(features[0, j]) - expected) < 1e-6)
    }
  }
}
