import Testing

@testable import CKSCore

@Suite struct SplitMix64Tests {
  @Test func matchesReferenceStream() {
    // Reference values of splitmix64.c (Vigna) started from state 0.
    var generator = SplitMix64(seed: 0)
    #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
    #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
  }

  @Test func sameSeedSameStream() {
    var a = SplitMix64(seed: 42, stream: 7, index: 3)
    var b = SplitMix64(seed: 42, stream: 7, index: 3)
    var c = SplitMix64(seed: 42, stream: 7, index: 4)
    let first = (0..<5).map { _ in a.next() }
    #expect(first == (0..<5).map { _ in b.next() })
    #expect(first != (0..<5).map { _ in c.next() })
  }

  @Test func boundedIndicesAreUniform() {
    var generator = SplitMix64(seed: 9)
    var counts = [Int](repeating: 0, count: 6)
    for _ in 0..<60_000 { counts[generator.nextIndex(below: 6)] += 1 }
    // Each bin expects 10,000; 5 standard deviations is about 456.
    for count in counts { #expect(abs(count - 10_000) < 460) }
  }

  @Test func normalsHaveUnitVariance() {
    var generator = SplitMix64(seed: 5)
    let draws = (0..<100_000).map { _ in generator.nextStandardNormal() }
    let mean = draws.reduce(0, +) / Double(draws.count)
    let variance = draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(draws.count)
    #expect(abs(mean) < 0.02)
    #expect(abs(variance - 1) < 0.02)
  }
}
