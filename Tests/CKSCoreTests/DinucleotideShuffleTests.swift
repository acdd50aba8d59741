import Testing

@testable import CKSCore

@Suite struct DinucleotideShuffleTests {
  func dinucleotideCounts(_ codes: [UInt8]) -> [Int] {
    var counts = [Int](repeating: 0, count: 25)
    for (a, b) in zip(codes, codes.dropFirst()) { counts[Int(a) * 5 + Int(b)] += 1 }
    return counts
  }

  @Test(arguments: [0, 1, 2, 3, 4, 5, 6, 7])
  func keepsDinucleotideCountsAndEnds(seed: UInt64) {
    var source = SplitMix64(seed: 100 + seed)
    let length = 3 + source.nextIndex(below: 200)
    // Include N (code 4) in some sequences.
    let alphabet = seed % 2 == 0 ? 4 : 5
    let codes = (0..<length).map { _ in UInt8(source.nextIndex(below: alphabet)) }
    var generator = SplitMix64(seed: seed)
    let shuffled = DinucleotideShuffle.shuffle(codes, using: &generator)
    #expect(shuffled.count == codes.count)
    #expect(shuffled.first == codes.first)
    #expect(shuffled.last == codes.last)
    #expect(dinucleotideCounts(shuffled) == dinucleotideCounts(codes))
  }

  @Test func seededAndActuallyShuffles() {
    var source = SplitMix64(seed: 1)
    let codes = (0..<101).map { _ in UInt8(source.nextIndex(below: 4)) }
    var a = SplitMix64(seed: 7)
    var b = SplitMix64(seed: 7)
    var c = SplitMix64(seed: 8)
    let first = DinucleotideShuffle.shuffle(codes, using: &a)
    #expect(first == DinucleotideShuffle.shuffle(codes, using: &b))
    #expect(first != codes)
    #expect(first != DinucleotideShuffle.shuffle(codes, using: &c))
  }

  @Test func shortSequencesAreReturnedAsIs() {
    var generator = SplitMix64(seed: 1)
    #expect(DinucleotideShuffle.shuffle([], using: &generator) == [])
    #expect(DinucleotideShuffle.shuffle([2, 1], using: &generator) == [2, 1])
  }
}

@Suite struct BatchShuffleTests {
  @Test func batchIsOrderedSeededAndThreadCountInvariant() {
    let sequences = randomSequences(count: 300, length: 50, seed: 4)
    let one = DinucleotideShuffle.shuffles(of: sequences, count: 3, seed: 9, threadCount: 1)
    #expect(one.count == 900)
    #expect(one == DinucleotideShuffle.shuffles(of: sequences, count: 3, seed: 9, threadCount: 2))
    #expect(one != DinucleotideShuffle.shuffles(of: sequences, count: 3, seed: 10, threadCount: 1))
    for (index, shuffled) in one.enumerated() {
      #expect(shuffled.codes.first == sequences[index / 3].codes.first)
    }
  }
}
