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

  /// Opens `path` (`-` for standard input) for streaming, detecting its format.
  /// - Throws: `InputError` for a missing, empty or unrecognisable file.
  public func open(path: String) throws(InputError) -> SequenceStream {
    try SequenceStream(path: path, reader: self)
  }

  /// Reads every record of `path` (`-` for standard input).
  /// - Throws: `InputError` naming the file, line, record and reason.
  public func read(path: String) throws(InputError) -> (
    format: SequenceFormat, records: [SequenceRecord]
  ) {
    let stream = try open(path: path)
    var records = [SequenceRecord]()
    while let record = try stream.next() { records.append(record) }
    return (stream.format, records)
  }

  static func detect(_ line: ArraySlice<UInt8>, path: String, line number: Int) throws(InputError)
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
}

/// Records of one file, read one at a time: memory does not grow with the file.
public final class SequenceStream {
  /// The file's format.
  public let format: SequenceFormat
  /// The file (`-` for standard input).
  public let path: String
  let settings: SequenceReader
  let reader: LineReader
  /// A line read ahead and not yet consumed (the first line, or the next FASTA header).
  var pending: [UInt8]?
  var pendingLine = 0
  var recordCount = 0

  init(path: String, reader settings: SequenceReader) throws(InputError) {
    self.path = path
    self.settings = settings
    reader = try LineReader(path: path)
    var first: ArraySlice<UInt8>?
    while let line = try reader.nextLine() {
      if !line.allSatisfy(isSpace) {
        first = line
        break
      }
    }
    guard let first else { throw InputError(path: path, reason: .empty) }
    if let format = settings.format {
      self.format = format
    } else {
      format = try SequenceReader.detect(first, path: path, line: reader.lineNumber)
    }
    if format == .bed && settings.genome == nil {
      throw InputError(path: path, reason: .genomeRequired)
    }
    if format == .deepbind {
      let header = String(decoding: first, as: UTF8.self)
      guard header == SequenceReader.deepBindHeader else {
        throw InputError(
          path: path, line: reader.lineNumber,
          reason: .badHeader(expected: "FoldID\\tEventID\\tseq\\tBound", found: header))
      }
    } else {
      pending = Array(first)
      pendingLine = reader.lineNumber
    }
  }

  /// The next record, or nil at the end of the file.
  /// - Throws: `InputError` naming the file, line, record and reason; `.empty` if the file ends
  ///   without any record.
  public func next() throws(InputError) -> SequenceRecord? {
    let record: SequenceRecord?
    do {
      switch format {
      case .deepbind: record = try nextDeepBind()
      case .fasta: record = try nextFASTA()
      case .bed: record = try nextBED()
      }
    } catch {
      // Garbage from a corrupt gzip member is reported as corruption, not as bad bases.
      if case .readFailed = error.reason {
        throw error
      }
      if reader.isCompressed, reader.readErrorInRest() != nil {
        throw InputError(
          path: path, line: error.line,
          reason: .readFailed(
            "corrupt compressed data (the stream fails its check further on; "
              + "its bytes stop parsing at this line)"))
      }
      throw error
    }
    if record == nil && recordCount == 0 { throw InputError(path: path, reason: .empty) }
    if record != nil { recordCount += 1 }
    return record
  }

  /// Up to `maximumCount` next records (empty at the end of the file).
  public func next(maximumCount: Int) throws(InputError) -> [SequenceRecord] {
    var batch = [SequenceRecord]()
    while batch.count < maximumCount, let record = try next() { batch.append(record) }
    return batch
  }

  /// The pending line if any, else the next line from the file, with its line number.
  private func nextLine() throws(InputError) -> (line: ArraySlice<UInt8>, number: Int)? {
    if let line = pending {
      pending = nil
      return (line[...], pendingLine)
    }
    guard let line = try reader.nextLine() else { return nil }
    return (line, reader.lineNumber)
  }

  // MARK: - DeepBind

  private func nextDeepBind() throws(InputError) -> SequenceRecord? {
    while let (line, number) = try nextLine() {
      if line.isEmpty { continue }
      let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
      let id = fields.count > 1 ? String(decoding: fields[1], as: UTF8.self) : nil
      guard fields.count == 4 else {
        throw InputError(
          path: path, line: number, record: id,
          reason: .columnCount(expected: "4", found: fields.count))
      }
      let label: Bool
      if fields[3].elementsEqual([UInt8(ascii: "1")]) {
        label = true
      } else if fields[3].elementsEqual([UInt8(ascii: "0")]) {
        label = false
      } else {
        throw InputError(
          path: path, line: number, record: id,
          reason: .badLabel(String(decoding: fields[3], as: UTF8.self)))
      }
      let sequence = try parseBases(
        fields[2], line: number, record: id, columnOffset: fields[0].count + fields[1].count + 2)
      return SequenceRecord(id: id ?? "", sequence: sequence, label: label)
    }
    return nil
  }

  // MARK: - FASTA

  private func nextFASTA() throws(InputError) -> SequenceRecord? {
    var name: String?
    var headerLine = 0
    var codes = [UInt8]()
    while let (line, number) = try nextLine() {
      if line.first == UInt8(ascii: ">") {
        if name != nil {
          pending = Array(line)
          pendingLine = number
          break
        }
        let title = line.dropFirst().split(whereSeparator: isSpace).first
        name = title.map { String(decoding: $0, as: UTF8.self) } ?? ""
        headerLine = number
      } else if !line.allSatisfy(isSpace) {
        guard name != nil else {
          throw InputError(path: path, line: number, reason: .sequenceBeforeHeader)
        }
        var trimmed = line
        while let last = trimmed.last, isSpace(last) { trimmed = trimmed.dropLast() }
        let parsed = try parseBases(trimmed, line: number, record: name, columnOffset: 0)
        codes += parsed.codes
      }
    }
    guard let name else { return nil }
    guard !codes.isEmpty else {
      throw InputError(path: path, line: headerLine, record: name, reason: .emptySequence)
    }
    return SequenceRecord(id: name, sequence: DNASequence(codes: codes))
  }

  // MARK: - BED / narrowPeak

  private func nextBED() throws(InputError) -> SequenceRecord? {
    guard let genome = settings.genome else {
      throw InputError(path: path, reason: .genomeRequired)
    }
    while let (line, number) = try nextLine() {
      let text = String(decoding: line, as: UTF8.self)
      if text.allSatisfy({ $0 == " " || $0 == "\t" }) || text.hasPrefix("#")
        || text.hasPrefix("track") || text.hasPrefix("browser")
      {
        continue
      }
      return try bedRecord(text, genome: genome, line: number)
    }
    return nil
  }

  private func bedRecord(_ text: String, genome: Genome, line number: Int) throws(InputError)
    -> SequenceRecord
  {
    let windowWidth = settings.windowWidth
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
        path: path, line: number, record: label,
        reason: .startNotBeforeEnd(start: start, end: end))
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
    _ bytes: ArraySlice<UInt8>, line: Int, record: String?, columnOffset: Int
  ) throws(InputError) -> DNASequence {
    switch DNASequence.parse(bytes) {
    case .success(let sequence):
      if sequence.count == 0 {
        throw InputError(path: path, line: line, record: record, reason: .emptySequence)
      }
      return sequence
    case .failure(let bad):
      throw InputError(
        path: path, line: line, record: record,
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
