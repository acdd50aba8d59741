import CKSCore

/// Reads DeepBind, FASTA or BED/narrowPeak files into `SequenceRecord`s.
///
/// The format is taken from `format` or detected from the first non-empty line: the DeepBind
/// header `FoldID<TAB>EventID<TAB>seq<TAB>Bound`, a FASTA `>` header, or BED (`track`, `browser`,
/// `#` lines, or three or more columns with integer start and end).
public struct SequenceReader: Sendable {
  /// Forced format, or nil to detect.
  public var format: SequenceFormat?
  /// Reference genome for BED input.
  public var genome: Genome?
  /// Width of the window cut around each BED interval's summit (narrowPeak column 10) or
  /// midpoint (plain BED).
  public var windowWidth: Int

  public init(format: SequenceFormat? = nil, genome: Genome? = nil, windowWidth: Int = 101) {
    self.format = format
    self.genome = genome
    self.windowWidth = windowWidth
  }

  /// The DeepBind header line.
  public static let deepBindHeader = "FoldID\tEventID\tseq\tBound"

  /// Reads every record of `path` (`-` for standard input).
  /// - Throws: `InputError` naming the file, line, record and reason.
  public func read(path: String) throws(InputError) -> (
    format: SequenceFormat, records: [SequenceRecord]
  ) {
    let reader = try LineReader(path: path)
    var first: ArraySlice<UInt8>?
    while let line = try reader.nextLine() {
      if !line.allSatisfy(isSpace) {
        first = line
        break
      }
    }
    guard let first else { throw InputError(path: path, reason: .empty) }
    let detected: SequenceFormat
    if let format {
      detected = format
    } else {
      detected = try detect(first, path: path, line: reader.lineNumber)
    }
    var records: [SequenceRecord]
    switch detected {
    case .deepbind: records = try readDeepBind(reader, first: first)
    case .fasta: records = try readFASTA(reader, first: first)
    case .bed: records = try readBED(reader, first: first)
    }
    guard !records.isEmpty else { throw InputError(path: path, reason: .empty) }
    return (detected, records)
  }

  private func detect(_ line: ArraySlice<UInt8>, path: String, line number: Int) throws(InputError)
    -> SequenceFormat
  {
    let text = String(decoding: line, as: UTF8.self)
    if text.hasPrefix("FoldID") { return .deepbind }
    if text.hasPrefix(">") { return .fasta }
    if text.hasPrefix("track") || text.hasPrefix("browser") || text.hasPrefix("#") { return .bed }
    let fields = text.split(separator: "\t", omittingEmptySubsequences: false)
    if fields.count >= 3, Int(fields[1]) != nil, Int(fields[2]) != nil { return .bed }
    throw InputError(path: path, line: number, reason: .unknownFormat)
  }

  // MARK: - DeepBind

  private func readDeepBind(_ reader: LineReader, first: ArraySlice<UInt8>) throws(InputError)
    -> [SequenceRecord]
  {
    let header = String(decoding: first, as: UTF8.self)
    guard header == Self.deepBindHeader else {
      throw InputError(
        path: reader.path, line: reader.lineNumber,
        reason: .badHeader(expected: "FoldID\\tEventID\\tseq\\tBound", found: header))
    }
    var records = [SequenceRecord]()
    while let line = try reader.nextLine() {
      if line.isEmpty { continue }
      let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
      let id = fields.count > 1 ? String(decoding: fields[1], as: UTF8.self) : nil
      guard fields.count == 4 else {
        throw InputError(
          path: reader.path, line: reader.lineNumber, record: id,
          reason: .columnCount(expected: "4", found: fields.count))
      }
      let label: Bool
      switch String(decoding: fields[3], as: UTF8.self) {
      case "1": label = true
      case "0": label = false
      case let other:
        throw InputError(
          path: reader.path, line: reader.lineNumber, record: id, reason: .badLabel(other))
      }
      let sequence = try parseBases(
        fields[2], reader: reader, record: id, columnOffset: fields[0].count + fields[1].count + 2)
      records.append(SequenceRecord(id: id ?? "", sequence: sequence, label: label))
    }
    return records
  }

  // MARK: - FASTA

  private func readFASTA(_ reader: LineReader, first: ArraySlice<UInt8>) throws(InputError)
    -> [SequenceRecord]
  {
    var records = [SequenceRecord]()
    var name: String?
    var headerLine = 0
    var codes = [UInt8]()
    func finish() throws(InputError) {
      guard let name else { return }
      guard !codes.isEmpty else {
        throw InputError(path: reader.path, line: headerLine, record: name, reason: .emptySequence)
      }
      records.append(SequenceRecord(id: name, sequence: DNASequence(codes: codes)))
    }
    var line: ArraySlice<UInt8>? = first
    while let current = line {
      if current.first == UInt8(ascii: ">") {
        try finish()
        let title = current.dropFirst().split(whereSeparator: isSpace).first
        name = title.map { String(decoding: $0, as: UTF8.self) } ?? ""
        headerLine = reader.lineNumber
        codes.removeAll(keepingCapacity: true)
      } else if !current.allSatisfy(isSpace) {
        guard name != nil else {
          throw InputError(
            path: reader.path, line: reader.lineNumber, reason: .sequenceBeforeHeader)
        }
        var trimmed = current
        while let last = trimmed.last, isSpace(last) { trimmed = trimmed.dropLast() }
        let parsed = try parseBases(trimmed, reader: reader, record: name, columnOffset: 0)
        codes += parsed.codes
      }
      line = try reader.nextLine()
    }
    try finish()
    return records
  }

  // MARK: - BED / narrowPeak

  private func readBED(_ reader: LineReader, first: ArraySlice<UInt8>) throws(InputError)
    -> [SequenceRecord]
  {
    guard let genome else { throw InputError(path: reader.path, reason: .genomeRequired) }
    var records = [SequenceRecord]()
    var line: ArraySlice<UInt8>? = first
    while let current = line {
      let text = String(decoding: current, as: UTF8.self)
      if text.isEmpty || text.hasPrefix("#") || text.hasPrefix("track") || text.hasPrefix("browser")
      {
        line = try reader.nextLine()
        continue
      }
      records.append(try bedRecord(text, genome: genome, reader: reader))
      line = try reader.nextLine()
    }
    return records
  }

  private func bedRecord(_ text: String, genome: Genome, reader: LineReader) throws(InputError)
    -> SequenceRecord
  {
    let path = reader.path
    let number = reader.lineNumber
    var fields = text.split(separator: "\t", omittingEmptySubsequences: false)
    if fields.count < 3 { fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }) }
    guard fields.count >= 3 else {
      throw InputError(
        path: path, line: number, reason: .columnCount(expected: "at least 3", found: fields.count))
    }
    let chromosome = String(fields[0])
    let label = "\(chromosome):\(fields[1])-\(fields[2])"
    guard let start = Int(fields[1]), start >= 0 else {
      throw InputError(
        path: path, line: number, record: label, reason: .badCoordinate(String(fields[1])))
    }
    guard let end = Int(fields[2]), end >= 0 else {
      throw InputError(
        path: path, line: number, record: label, reason: .badCoordinate(String(fields[2])))
    }
    guard start < end else {
      throw InputError(
        path: path, line: number, record: label, reason: .startNotBeforeEnd(start: start, end: end))
    }
    var center = start + (end - start) / 2
    if fields.count >= 10, let summit = Int(fields[9]), summit >= 0 {
      center = start + summit
    }
    let windowStart = center - windowWidth / 2
    let windowEnd = windowStart + windowWidth
    let name =
      fields.count >= 4 && fields[3] != "." && !fields[3].isEmpty
      ? String(fields[3]) : "\(chromosome):\(windowStart)-\(windowEnd)"
    guard let length = genome.length(of: chromosome) else {
      throw InputError(
        path: path, line: number, record: label, reason: .unknownChromosome(chromosome))
    }
    guard windowStart >= 0, windowEnd <= length else {
      throw InputError(
        path: path, line: number, record: label,
        reason: .offChromosome(
          chromosome: chromosome, start: windowStart, end: windowEnd, length: length))
    }
    guard let bytes = genome.bases(chromosome: chromosome, start: windowStart, end: windowEnd)
    else {
      throw InputError(
        path: genome.path, record: name,
        reason: .readFailed("cannot fetch \(chromosome):\(windowStart)-\(windowEnd)"))
    }
    switch DNASequence.parse(bytes) {
    case .success(let sequence): return SequenceRecord(id: name, sequence: sequence)
    case .failure(let bad):
      throw InputError(
        path: genome.path, record: "\(chromosome):\(windowStart)-\(windowEnd)",
        reason: .invalidBase(character: printable(bad.byte), column: bad.offset + 1))
    }
  }

  // MARK: - Shared

  private func parseBases(
    _ bytes: ArraySlice<UInt8>, reader: LineReader, record: String?, columnOffset: Int
  ) throws(InputError) -> DNASequence {
    switch DNASequence.parse(bytes) {
    case .success(let sequence):
      if sequence.count == 0 {
        throw InputError(
          path: reader.path, line: reader.lineNumber, record: record, reason: .emptySequence)
      }
      return sequence
    case .failure(let bad):
      throw InputError(
        path: reader.path, line: reader.lineNumber, record: record,
        reason: .invalidBase(character: printable(bad.byte), column: columnOffset + bad.offset + 1))
    }
  }
}

private func isSpace(_ byte: UInt8) -> Bool {
  byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
}

/// A byte as readable text: the character itself if printable ASCII, else `\xNN`.
func printable(_ byte: UInt8) -> String {
  if byte >= 0x20 && byte < 0x7F { return String(UnicodeScalar(byte)) }
  let hex = String(byte, radix: 16, uppercase: true)
  return "\\x" + (hex.count == 1 ? "0" + hex : hex)
}
