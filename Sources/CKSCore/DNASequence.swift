/// A DNA sequence stored as one small code per base: A=0, C=1, G=2, T=3, and 4 for N.
///
/// Lowercase (soft-masked) bases are read as their uppercase form. N and the other IUPAC ambiguity
/// codes (R Y S W K M B D H V N) become code 4, whose one-hot column is all zeros: such a position
/// adds nothing to any filter's window sum. Characters that are neither are rejected by `init`.
public struct DNASequence: Hashable, Sendable {
  /// Base codes, 0...4, one per position.
  public var codes: [UInt8]

  /// The code of an ambiguous base (all-zero one-hot column).
  public static let unknownCode: UInt8 = 4
  /// Marks bytes that are neither a base nor an IUPAC code in `codeTable`.
  public static let invalidCode: UInt8 = 255

  /// ASCII byte to base code (`invalidCode` for anything else).
  public static let codeTable: [UInt8] = {
    var table = [UInt8](repeating: invalidCode, count: 256)
    for (letters, code) in [
      ("Aa", 0), ("Cc", 1), ("Gg", 2), ("Tt", 3), ("RYSWKMBDHVNryswkmbdhvn", 4),
    ] {
      for byte in letters.utf8 { table[Int(byte)] = UInt8(code) }
    }
    return table
  }()

  /// Creates a sequence from codes (each must be 0...4).
  public init(codes: [UInt8]) {
    precondition(codes.allSatisfy { $0 <= 4 }, "DNASequence codes must be 0...4")
    self.codes = codes
  }

  /// Parses text; fails with the 0-based offset of the first byte that is not a base or IUPAC code.
  public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<DNASequence, InvalidBase>
  {
    var bad = -1
    let codes = [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
      codeTable.withUnsafeBufferPointer { table in
        var invalid: UInt8 = 0
        for i in 0..<bytes.count {
          let code = table[Int(bytes[i])]
          buffer[i] = code
          invalid |= code & 0x80
        }
        if invalid != 0 {
          bad = (0..<bytes.count).first { table[Int(bytes[$0])] == invalidCode } ?? 0
        }
      }
      count = bytes.count
    }
    if bad >= 0 { return .failure(InvalidBase(offset: bad, byte: bytes[bad])) }
    return .success(DNASequence(uncheckedCodes: codes))
  }

  /// Parses text (see `parse(_:)` on a buffer).
  public static func parse(_ bytes: ArraySlice<UInt8>) -> Result<DNASequence, InvalidBase> {
    bytes.withUnsafeBufferPointer { parse($0) }
  }

  /// Parses text (see `parse(_:)` on a buffer).
  public static func parse(_ bytes: [UInt8]) -> Result<DNASequence, InvalidBase> {
    bytes.withUnsafeBufferPointer { parse($0) }
  }

  /// Creates a sequence from codes already known to be 0...4.
  init(uncheckedCodes codes: [UInt8]) {
    self.codes = codes
  }

  /// Number of bases.
  public var count: Int { codes.count }

  /// The sequence as uppercase text (N for code 4).
  public var text: String {
    let letters: [UInt8] = Array("ACGTN".utf8)
    return String(decoding: codes.map { letters[Int($0)] }, as: UTF8.self)
  }

  /// The reverse complement (N stays N).
  public var reverseComplement: DNASequence {
    DNASequence(uncheckedCodes: codes.reversed().map { $0 == 4 ? 4 : 3 - $0 })
  }
}

/// A byte that is neither a DNA base nor an IUPAC ambiguity code.
public struct InvalidBase: Error, Equatable, Sendable {
  /// 0-based offset in the parsed text.
  public var offset: Int
  /// The offending byte.
  public var byte: UInt8
}
