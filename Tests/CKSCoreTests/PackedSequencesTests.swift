import Testing

@testable import CKSCore

@Suite struct PackedSequencesTests {
  /// Round trip against the unpacked codes: equal and unequal lengths, N runs at sequence edges,
  /// across word boundaries and spanning whole sequences.
  @Test(arguments: [true, false])
  func packsAndUnpacksExactly(uniform: Bool) {
    var generator = SplitMix64(seed: 11)
    var originals = [DNASequence]()
    var packed = PackedSequences()
    for index in 0..<300 {
      let length = uniform ? 45 : generator.nextIndex(below: 80)
      var codes = (0..<length).map { _ in UInt8(generator.nextIndex(below: 4)) }
      if index % 7 == 0, length > 0 {
        let start = generator.nextIndex(below: length)
        let end = min(length, start + 1 + generator.nextIndex(below: 40))
        for i in start..<end { codes[i] = 4 }
      }
      if index % 50 == 3 { codes = [UInt8](repeating: 4, count: length) }
      let sequence = DNASequence(codes: codes)
      originals.append(sequence)
      packed.append(sequence)
    }
    #expect(packed.count == 300)
    #expect(packed.baseCount == originals.reduce(0) { $0 + $1.count })
    #expect(packed.containsUnknown)
    for (index, original) in originals.enumerated() {
      #expect(packed[index] == original, "sequence \(index)")
      #expect(packed.length(index) == original.count)
    }
    // 2 bits per base: 300 × 45 bases in 422 words, not 13,500 bytes.
    if uniform { #expect(packed.byteCount < 300 * 45 / 4 + 8 * 64 + 8 * 300) }
  }

  @Test func bitVectorCountsAndStores() {
    var bits = BitVector()
    for i in 0..<130 { bits.append(i % 3 == 0) }
    #expect(bits.count == 130)
    #expect(bits.setCount == 44)
    bits[1] = true
    bits[0] = false
    #expect(bits[1] && !bits[0] && bits.setCount == 44)
    #expect(BitVector(repeating: true, count: 70).setCount == 70)
  }
}
