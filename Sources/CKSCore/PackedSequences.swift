/// A growable vector of bits, 64 to a word.
public struct BitVector: Sendable, Equatable {
  private(set) var words: [UInt64] = []
  /// Number of bits.
  public private(set) var count = 0

  /// An empty vector with room for `capacity` bits.
  public init(capacity: Int = 0) {
    words.reserveCapacity((capacity + 63) / 64)
  }

  /// `count` copies of `value`.
  public init(repeating value: Bool, count: Int) {
    words = [UInt64](repeating: value ? ~0 : 0, count: (count + 63) / 64)
    self.count = count
  }

  /// Appends one bit.
  public mutating func append(_ bit: Bool) {
    if count & 63 == 0 { words.append(0) }
    if bit { words[count >> 6] |= 1 << UInt64(count & 63) }
    count += 1
  }

  public subscript(index: Int) -> Bool {
    get { words[index >> 6] >> UInt64(index & 63) & 1 == 1 }
    set {
      let mask: UInt64 = 1 << UInt64(index & 63)
      if newValue { words[index >> 6] |= mask } else { words[index >> 6] &= ~mask }
    }
  }

  /// Number of set bits.
  public var setCount: Int {
    var total = 0
    for (index, word) in words.enumerated() {
      let valid = min(64, count - index * 64)
      total += (valid == 64 ? word : word & ((1 << UInt64(valid)) - 1)).nonzeroBitCount
    }
    return total
  }
}

/// Many DNA sequences at 2 bits per base, for training sets too large to keep one byte per base.
///
/// Bases are packed 32 to a `UInt64`, sequence after sequence with no padding. Ambiguity codes
/// (code 4) are stored as runs `(start, end)` of global base positions beside the bits, so N-rich
/// data costs 16 bytes per run, not per base. Sequence boundaries cost nothing while all
/// sequences have one length (DeepBind sets); the first different length switches to one end
/// offset per sequence.
public struct PackedSequences: Sendable {
  private var words: [UInt64] = []
  /// Total bases stored.
  public private(set) var baseCount = 0
  /// Number of sequences.
  public private(set) var count = 0
  /// The common length while all sequences have one (nil once lengths differ).
  private var uniformLength: Int? = nil
  /// End offset of every sequence, kept only once lengths differ.
  private var ends: [Int] = []
  /// Flattened (start, end) pairs of N runs, global positions, increasing.
  private var unknownRuns: [Int] = []

  /// An empty store with room for `bases` bases.
  public init(reservingBases bases: Int = 0) {
    words.reserveCapacity((bases + 31) / 32)
  }

  /// Whether any stored base is an ambiguity code.
  public var containsUnknown: Bool { !unknownRuns.isEmpty }

  /// Bytes held (bits, boundaries and N runs), for memory reports.
  public var byteCount: Int { 8 * (words.capacity + ends.capacity + unknownRuns.capacity) }

  /// Appends one sequence given as codes 0...4.
  public mutating func append(_ codes: UnsafeBufferPointer<UInt8>) {
    let length = codes.count
    if count == 0 {
      uniformLength = length
    } else if let uniform = uniformLength, uniform != length {
      ends = (1...count).map { $0 * uniform }
      uniformLength = nil
    }
    words.append(
      contentsOf: repeatElement(0, count: max(0, (baseCount + length + 31) / 32 - words.count)))
    var runStart = -1
    for i in 0..<length {
      let position = baseCount + i
      let code = codes[i]
      if code == 4 {
        if runStart < 0 { runStart = position }
      } else {
        if runStart >= 0 {
          unknownRuns += [runStart, position]
          runStart = -1
        }
        words[position >> 5] |= UInt64(code) << UInt64((position & 31) * 2)
      }
    }
    if runStart >= 0 { unknownRuns += [runStart, baseCount + length] }
    baseCount += length
    count += 1
    if uniformLength == nil { ends.append(baseCount) }
  }

  /// Appends one sequence.
  public mutating func append(_ sequence: DNASequence) {
    sequence.codes.withUnsafeBufferPointer { append($0) }
  }

  /// First global base position of sequence `index`.
  @inline(__always)
  func start(_ index: Int) -> Int {
    if let uniform = uniformLength { return index * uniform }
    return index == 0 ? 0 : ends[index - 1]
  }

  /// Length of sequence `index`.
  public func length(_ index: Int) -> Int {
    if let uniform = uniformLength { return uniform }
    return ends[index] - start(index)
  }

  /// Writes the codes of sequence `index` to the front of `buffer` (grown if needed) and
  /// returns its length.
  @discardableResult
  public func decode(_ index: Int, into buffer: inout [UInt8]) -> Int {
    var starts = [0, 0]
    decode([index], into: &buffer, starts: &starts)
    return starts[1]
  }

  /// Decodes the sequences `indices` back to back into `codes` (grown if needed): sequence j
  /// occupies `starts[j]..<starts[j + 1]` (`starts` gets `indices.count + 1` entries).
  ///
  /// One call per batch keeps the storage's reference count untouched per sequence, so threads
  /// decoding different batches do not contend for it.
  public func decode(_ indices: [Int], into codes: inout [UInt8], starts: inout [Int]) {
    if starts.count < indices.count + 1 {
      starts = [Int](repeating: 0, count: indices.count + 1)
    }
    var total = 0
    for (j, index) in indices.enumerated() {
      starts[j] = total
      total += length(index)
    }
    starts[indices.count] = total
    if codes.count < total + 4 { codes = [UInt8](repeating: 0, count: total + 4) }
    // Bytes of the little-endian words hold 4 bases each, the first in the low bits: unpack a
    // byte at a time through a 256-entry table of 4 code bytes.
    words.withUnsafeBytes { raw in
      codes.withUnsafeMutableBytes { out in
        Self.unpackTable.withUnsafeBufferPointer { table in
          unknownRuns.withUnsafeBufferPointer { runs in
            guard let bytes = raw.baseAddress, let output = out.baseAddress,
              let unpack = table.baseAddress
            else { return }
            for (j, index) in indices.enumerated() {
              let first = start(index)
              let length = starts[j + 1] - starts[j]
              let codes = output + starts[j]
              var i = 0
              var position = first
              while i < length && position & 3 != 0 {
                codes.storeBytes(
                  of: UInt8(
                    truncatingIfNeeded: bytes.load(fromByteOffset: position >> 2, as: UInt8.self)
                      >> UInt8((position & 3) * 2) & 3),
                  toByteOffset: i, as: UInt8.self)
                i += 1
                position += 1
              }
              while i < length {
                let byte = bytes.load(fromByteOffset: position >> 2, as: UInt8.self)
                codes.storeBytes(of: unpack[Int(byte)], toByteOffset: i, as: UInt32.self)
                i += 4
                position += 4
              }
              guard !runs.isEmpty else { continue }
              // First N run ending after `first`, by binary search over run ends.
              var low = 0
              var high = runs.count / 2
              while low < high {
                let middle = (low + high) / 2
                if runs[2 * middle + 1] <= first { low = middle + 1 } else { high = middle }
              }
              var run = low
              let end = first + length
              while run < runs.count / 2 && runs[2 * run] < end {
                for position in max(first, runs[2 * run])..<min(end, runs[2 * run + 1]) {
                  codes.storeBytes(of: 4, toByteOffset: position - first, as: UInt8.self)
                }
                run += 1
              }
            }
          }
        }
      }
    }
  }

  /// Byte of 4 packed bases → their 4 code bytes (as a little-endian `UInt32`).
  static let unpackTable: [UInt32] = (0..<256).map { byte in
    (0..<4).reduce(0) { $0 | UInt32((byte >> (2 * $1)) & 3) << (8 * $1) }
  }

  /// Sequence `index` as a `DNASequence`.
  public subscript(index: Int) -> DNASequence {
    var buffer = [UInt8]()
    let length = decode(index, into: &buffer)
    return DNASequence(uncheckedCodes: Array(buffer.prefix(length)))
  }
}
