import Testing

@testable import CKSCore

@Suite struct TrainerTests {
  /// Positives carry the motif GGAAGT at a random place; negatives are their dinucleotide shuffles.
  func plantedMotifData(count: Int, seed: UInt64) -> ([DNASequence], [Bool], [Int]) {
    var generator = SplitMix64(seed: seed)
    var sequences = [DNASequence]()
    let motif: [UInt8] = [2, 2, 0, 0, 2, 3]
    for _ in 0..<count {
      var codes = (0..<60).map { _ in UInt8(generator.nextIndex(below: 4)) }
      let at = generator.nextIndex(below: 50)
      codes.replaceSubrange(at..<(at + 6), with: motif)
      sequences.append(DNASequence(codes: codes))
    }
    let negatives = sequences.map {
      DNASequence(codes: DinucleotideShuffle.shuffle($0.codes, using: &generator))
    }
    return (
      sequences + negatives,
      [Bool](repeating: true, count: count) + [Bool](repeating: false, count: count),
      Array(0..<count) + Array(0..<count)
    )
  }

  @Test func learnsAPlantedMotifAndIsDeterministic() throws {
    let (sequences, labels, groups) = plantedMotifData(count: 300, seed: 1)
    var options = TrainingOptions()
    options.filterWidth = 6
    options.featureCount = 512
    options.gammas = [0.5, 1]
    options.penalties = [1, 100]
    options.chunkSize = 100
    let result = try Trainer(options: options).train(
      sequences: sequences, labels: labels, groups: groups)
    #expect(result.grid.count == 4)
    #expect((result.holdoutAUC ?? 0) > 0.85)
    options.threadCount = 2
    let again = try Trainer(options: options).train(
      sequences: sequences, labels: labels, groups: groups)
    #expect(again.model == result.model)
    let (test, testLabels, _) = plantedMotifData(count: 200, seed: 2)
    let auc = try ROC.auc(scores: result.model.scorer().scores(of: test), labels: testLabels)
    #expect(auc > 0.85)
  }

  @Test func holdoutDrawsAnExactFractionOfGroups() {
    var options = TrainingOptions()
    options.holdoutFraction = 0.25
    let held = Trainer(options: options).holdoutGroups(count: 200)
    #expect(held.setCount == 50)
    options.seed = 2
    #expect(Trainer(options: options).holdoutGroups(count: 200) != held)
    options.holdoutFraction = 0
    #expect(Trainer(options: options).holdoutGroups(count: 200).setCount == 0)
  }

  @Test func groupsStayTogetherInMemory() throws {
    // Groups given out of order (all positives, then all shuffles) are stored adjacently.
    let sequences = randomSequences(count: 6, length: 12, seed: 3)
    let data = InMemoryTrainingData(
      sequences: sequences, labels: [true, true, true, false, false, false],
      groups: [0, 1, 2, 0, 1, 2])
    #expect(data.groupCount == 3)
    var seen = [(DNASequence, Bool, Int)]()
    try data.forEachBatch(size: 4) { batch in
      for i in 0..<batch.count {
        seen.append((batch.sequences[i], batch.labels[i], batch.groups[i]))
      }
    }
    #expect(seen.map(\.2) == [0, 0, 1, 1, 2, 2])
    #expect(seen.map(\.1) == [true, false, true, false, true, false])
    #expect(seen.map(\.0) == [0, 3, 1, 4, 2, 5].map { sequences[$0] })
  }

  @Test func singleClassIsAnError() {
    let sequences = randomSequences(count: 10, length: 20, seed: 1)
    #expect(throws: TrainingError.self) {
      try Trainer(options: TrainingOptions()).train(
        sequences: sequences, labels: [Bool](repeating: true, count: 10), groups: Array(0..<10))
    }
  }
}
