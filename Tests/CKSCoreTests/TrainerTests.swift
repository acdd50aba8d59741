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

  /// Exact kernel, width n, gamma 1, lambda {1, 10}.
  func exactOptions(width: Int) -> TrainingOptions {
    var options = TrainingOptions()
    options.kernel = .exact
    options.filterWidth = width
    options.gammas = [1]
    options.penalties = [1, 10]
    return options
  }

  @Test func holdoutFoldsPartitionTheEligibleGroups() {
    var options = TrainingOptions()
    options.seed = 5
    var eligible = BitVector(repeating: false, count: 100)
    for group in 10..<70 { eligible[group] = true }
    let trainer = Trainer(options: options)
    let folds = trainer.holdoutFolds(count: 100, among: eligible, folds: 3)
    #expect(folds.map(\.setCount) == [20, 20, 20])
    for group in 0..<100 {
      #expect(folds.filter { $0[group] }.count == (eligible[group] ? 1 : 0), "group \(group)")
    }
    // The first fold is the single hold-out of a third of the same groups.
    options.holdoutFraction = 1.0 / 3
    #expect(Trainer(options: options).holdoutGroups(count: 100, among: eligible) == folds[0])
    #expect(trainer.holdoutFolds(count: 100, among: eligible, folds: 3) == folds)
    options.seed = 6
    #expect(Trainer(options: options).holdoutFolds(count: 100, among: eligible, folds: 3) != folds)
    #expect(
      trainer.holdoutFolds(count: 100, among: eligible, folds: 4).map(\.setCount) == [
        15, 15, 15, 15,
      ])
  }

  /// The first 60 positives carry a motif; in the other groups the motif is in the negatives.
  /// Fitted on everything the motif is ambiguous, fitted on the top groups alone it is clean:
  /// the top-group folds must choose `.only`, and the refit must be the plain fit on those groups.
  @Test func foldsChooseTopGroupsAloneWhenTheRestMisleads() throws {
    var generator = SplitMix64(seed: 21)
    let motif: [UInt8] = [2, 2, 0, 0, 2, 3, 1, 0]
    func random() -> [UInt8] { (0..<50).map { _ in UInt8(generator.nextIndex(below: 4)) } }
    func planted() -> [UInt8] {
      var codes = random()
      let at = generator.nextIndex(below: 42)
      codes.replaceSubrange(at..<(at + 8), with: motif)
      return codes
    }
    var sequences = [DNASequence]()
    var labels = [Bool]()
    var groups = [Int]()
    for group in 0..<260 {
      let positive = group < 60 ? planted() : random()
      let negative =
        group < 60 ? DinucleotideShuffle.shuffle(positive, using: &generator) : planted()
      sequences += [DNASequence(codes: positive), DNASequence(codes: negative)]
      labels += [true, false]
      groups += [group, group]
    }
    var options = exactOptions(width: 6)
    options.tolerance = 1e-10
    options.topPositives = 60
    options.topEmphases = [.weight(3), .only]
    options.holdoutPool = 60
    options.holdoutFolds = 3
    let result = try Trainer(options: options).train(
      sequences: sequences, labels: labels, groups: groups)
    #expect(result.emphasis == .only)
    #expect(result.grid.count == 4)
    #expect(result.grid.filter { $0.meanAUC != nil }.map(\.emphasis) == [.weight(3), .only])
    #expect(result.holdoutCount == 40)  // a third of the 60 top groups, with their negatives
    let chosen = try #require(result.grid.first { $0.emphasis == .only && $0.meanAUC != nil })
    #expect(result.holdoutAUC == chosen.meanAUC)
    // Oracle: the top groups alone, no hold-out, the chosen (gamma, lambda).
    var plain = options
    plain.topPositives = 0
    plain.holdoutFraction = 0
    plain.gammas = [chosen.gamma]
    plain.penalties = [chosen.penalty]
    let alone = try Trainer(options: plain).train(
      sequences: Array(sequences[..<120]), labels: Array(labels[..<120]),
      groups: Array(groups[..<120]))
    guard case .exact(let got) = result.model, case .exact(let expected) = alone.model else {
      Issue.record("exact models expected")
      return
    }
    let scale = expected.table.map { abs($0) }.max() ?? 1
    for (a, b) in zip(got.table, expected.table) { #expect(abs(a - b) <= 1e-4 * scale) }
    #expect(abs(got.intercept - expected.intercept) <= 1e-4 * max(1, abs(expected.intercept)))
  }

  /// One top emphasis: no folds beyond the first, the same model as weights without the axis.
  @Test func aSingleTopWeightSkipsTheExtraFolds() throws {
    let (sequences, labels, groups) = plantedMotifData(count: 120, seed: 4)
    var options = exactOptions(width: 5)
    options.topPositives = 40
    options.topEmphases = [.weight(2)]
    options.holdoutPool = 60
    let result = try Trainer(options: options).train(
      sequences: sequences, labels: labels, groups: groups)
    #expect(result.emphasis == .weight(2))
    #expect(result.grid.allSatisfy { $0.meanAUC == nil })
    #expect(result.holdoutAUC == result.grid.compactMap(\.holdoutAUC).max())
  }

  /// Negatives in groups of their own (from a file): the top positives would only reweigh the
  /// classes, so `topPositives` and the pool are not used and the model is the plain one.
  @Test func topGroupsNeedNegativesOfTheirOwn() throws {
    let (sequences, labels, _) = plantedMotifData(count: 100, seed: 8)
    var options = exactOptions(width: 5)
    let plain = try Trainer(options: options).train(
      sequences: sequences, labels: labels, groups: Array(sequences.indices))
    options.topPositives = 50
    options.topEmphases = [.weight(3), .only]
    options.holdoutPool = 50
    let topped = try Trainer(options: options).train(
      sequences: sequences, labels: labels, groups: Array(sequences.indices))
    #expect(topped.model == plain.model)
    #expect(topped.emphasis == .weight(1))
    #expect(topped.grid == plain.grid)
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
