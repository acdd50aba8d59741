import CHTSlib

#if canImport(Glibc)
  import Glibc
#endif

/// The CKSIO module's one door to htslib.
///
/// Each wrapper calls one C function and turns its failure
/// codes into Swift errors.
enum HTS {
  /// Silences htslib's own stderr messages, since cks reports errors itself.
  ///
  /// Calls `hts_set_log_level`.
  static let quiet: Void = hts_set_log_level(HTS_LOG_OFF)

  /// errno as text.
  ///
  /// Calls `strerror`.
  static func errnoText() -> String {
    String(cString: strerror(errno))
  }
}

/// Reads a text file line by line: plain, gzip or bgzip, or standard input for `-`.
///
/// Line endings `\n` and `\r\n` are both accepted. Data is read in 64 KB blocks with
/// `bgzf_read`; a final line without a newline is returned only after the stream ended cleanly,
/// so a truncated or corrupt gzip stream is reported as such, not as a short last line.
final class LineReader {
  let path: String
  private let file: UnsafeMutablePointer<BGZF>
  private var buffer = [UInt8]()
  private var position = 0
  private var atEnd = false
  /// 1-based number of the line last returned.
  private(set) var lineNumber = 0

  /// Opens `path`.
  ///
  /// Calls `bgzf_open` (or `bgzf_dopen` on descriptor 0 for `-`).
  init(path: String) throws(InputError) {
    _ = HTS.quiet
    self.path = path
    if path != "-" {
      var info = stat()
      if stat(path, &info) != 0 {
        throw InputError(path: path, reason: .cannotOpen(HTS.errnoText()))
      }
      if (info.st_mode & S_IFMT) == S_IFDIR {
        throw InputError(path: path, reason: .cannotOpen("is a directory"))
      }
    }
    errno = 0
    let handle = path == "-" ? bgzf_dopen(0, "r") : bgzf_open(path, "r")
    guard let handle else {
      let why = errno != 0 ? HTS.errnoText() : "unreadable file"
      throw InputError(path: path, reason: .cannotOpen(why))
    }
    file = handle
  }

  deinit { bgzf_close(file) }

  /// Whether the input is gzip or bgzip compressed.
  ///
  /// Calls `bgzf_compression`.
  var isCompressed: Bool { bgzf_compression(file) != 0 }

  /// Reads to the end and returns the read error met on the way, if any. A corrupt gzip member
  /// can inflate to garbage long before its checksum fails, so a parse error in compressed
  /// input is first checked against this.
  func readErrorInRest() -> InputError? {
    do {
      while try nextLine() != nil {}
      return nil
    } catch { return error }
  }

  /// The next line without its line ending, or nil at the end of the file.
  /// - Throws: `InputError.readFailed` for truncated or corrupt compressed data.
  func nextLine() throws(InputError) -> ArraySlice<UInt8>? {
    while true {
      if let newline = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
        var line = buffer[position..<newline]
        position = newline + 1
        lineNumber += 1
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        return line
      }
      if atEnd {
        guard position < buffer.count else { return nil }
        var line = buffer[position...]
        position = buffer.count
        lineNumber += 1
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        return line
      }
      try refill()
    }
  }

  /// Moves unread bytes to the front and reads the next block.
  ///
  /// Calls `bgzf_read`.
  private func refill() throws(InputError) {
    buffer.removeSubrange(0..<position)
    position = 0
    let old = buffer.count
    let block = 1 << 16
    buffer.append(contentsOf: repeatElement(0, count: block))
    let count = buffer.withUnsafeMutableBytes { raw in
      bgzf_read(file, raw.baseAddress.map { $0 + old }, block)
    }
    if count < 0 {
      throw InputError(
        path: path, line: lineNumber + 1,
        reason: .readFailed(
          "truncated or corrupt compressed data (the stream breaks at or after this line)"))
    }
    buffer.removeSubrange((old + count)...)
    if count == 0 { atEnd = true }
  }
}

/// An indexed reference genome (FASTA, plain or bgzip), read with htslib faidx.
public final class Genome: @unchecked Sendable {
  /// The FASTA path.
  public let path: String
  private let index: OpaquePointer

  /// Opens `path`, building `path.fai` (and `.gzi`) when missing.
  ///
  /// Calls `fai_load3`.
  /// - Throws: `InputError` if the file cannot be read or indexed.
  public init(path: String) throws(InputError) {
    _ = HTS.quiet
    self.path = path
    guard access(path, R_OK) == 0 else {
      throw InputError(path: path, reason: .cannotOpen(HTS.errnoText()))
    }
    errno = 0
    if let index = fai_load3(path, nil, nil, Int32(FAI_CREATE.rawValue)) {
      self.index = index
      temporaryIndex = false
    } else if let index = Self.loadWithTemporaryIndex(path) {
      // The .fai could not be written beside the genome (read-only folder): index into a
      // temporary folder, load, and delete it.
      self.index = index
      temporaryIndex = true
    } else {
      let why =
        "cannot read or index the genome FASTA; it must be plain or bgzip-compressed FASTA (plain gzip cannot be indexed: "
        + "gunzip it or recompress with bgzip)"
      throw InputError(path: path, reason: .genome(why))
    }
  }

  /// Whether the index was built in a temporary folder because none could be written beside
  /// the genome (it is rebuilt on every run).
  public let temporaryIndex: Bool

  /// Builds the .fai (and .gzi) in a fresh temporary folder, loads them and removes them.
  ///
  /// Calls `fai_build3` and `fai_load3`.
  private static func loadWithTemporaryIndex(_ path: String) -> OpaquePointer? {
    let base = ProcessInfoLite.temporaryDirectory + "/cks-fai-XXXXXX"
    var template = Array(base.utf8CString)
    guard
      let folder = template.withUnsafeMutableBufferPointer({ buffer in
        buffer.baseAddress.flatMap { mkdtemp($0) }
      })
    else { return nil }
    let directory = String(cString: folder)
    let fai = directory + "/index.fai"
    let gzi = directory + "/index.gzi"
    defer {
      unlink(fai)
      unlink(gzi)
      rmdir(directory)
    }
    guard fai_build3(path, fai, gzi) == 0 else { return nil }
    return fai_load3(path, fai, access(gzi, F_OK) == 0 ? gzi : nil, 0)
  }

  deinit { fai_destroy(index) }

  /// Length of `chromosome`, or nil if the genome has no such sequence.
  ///
  /// Calls `faidx_seq_len`.
  public func length(of chromosome: String) -> Int? {
    guard faidx_has_seq(index, chromosome) != 0 else { return nil }
    let length = faidx_seq_len(index, chromosome)
    return length < 0 ? nil : Int(length)
  }

  /// Bases `start..<end` (0-based, half-open) of `chromosome`, as text bytes.
  ///
  /// Calls `faidx_fetch_seq64` (inclusive end) and frees its buffer.
  func bases(chromosome: String, start: Int, end: Int) -> [UInt8]? {
    var length: hts_pos_t = 0
    guard
      let raw = faidx_fetch_seq64(index, chromosome, hts_pos_t(start), hts_pos_t(end - 1), &length)
    else { return nil }
    defer { free(raw) }
    guard length == end - start else { return nil }
    return raw.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
      Array(UnsafeBufferPointer(start: $0, count: Int(length)))
    }
  }
}

/// `$TMPDIR` or `/tmp`.
enum ProcessInfoLite {
  static var temporaryDirectory: String {
    if let value = getenv("TMPDIR"), value.pointee != 0 { return String(cString: value) }
    return "/tmp"
  }
}
