import Testing

@testable import CKSCore

@Suite struct DNASequenceTests {
  @Test func parsesBasesAnyCaseAndIUPAC() throws {
    let sequence = try DNASequence.parse(Array("ACGTacgtNnRYkm".utf8)).get()
    #expect(sequence.codes == [0, 1, 2, 3, 0, 1, 2, 3, 4, 4, 4, 4, 4, 4])
    #expect(sequence.text == "ACGTACGTNNNNNN")
  }

  @Test func rejectsNonBases() {
    let result = DNASequence.parse(Array("ACGXT".utf8))
    #expect(throws: InvalidBase(offset: 3, byte: UInt8(ascii: "X"))) { try result.get() }
    #expect(throws: InvalidBase.self) { try DNASequence.parse(Array("AC-T".utf8)).get() }
    #expect(throws: InvalidBase.self) { try DNASequence.parse(Array("ACU".utf8)).get() }
  }

  @Test func reverseComplementRoundTrips() throws {
    let sequence = try DNASequence.parse(Array("AACGTN".utf8)).get()
    #expect(sequence.reverseComplement.text == "NACGTT")
    #expect(sequence.reverseComplement.reverseComplement == sequence)
  }
}
