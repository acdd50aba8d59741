import CHTSlib

#if canImport(Glibc)
  import Glibc
#endif

/// The CKSIO module's one door to htslib. Each wrapper calls one C function and turns its failure
/// codes into Swift errors.
enum HTS {
  /// Silences htslib's own stderr messages; cks reports errors itself. Calls `hts_set_log_level`.
  static let quiet: Void = hts_set_log_level(HTS_LOG_OFF)

  /// errno as text. Calls `strerror`.
  static func errnoText() -> String {
    String(cString: strerror(errno))
  }
}

/// Reads a text file line by line: plain, gzip or bgzip, or standard input for `-`.
/// Line endings `\n` and `\r\n` are both accepted. Uses `hts_open` and `hts_getline`.
final class LineReader {
  let path: String
  private var file: UnsafeMutablePointer<htsFile>?
  private var buffer = kstring_t(l: 0, m: 0, s: nil)
  /// 1-based number of the line last returned.
  private(set) var lineNumber = 0

  /// Opens `path`. Calls `hts_open`.
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
    guard let handle = hts_open(path, "r") else {
      let why = errno != 0 ? HTS.errnoText() : "unrecognised or unreadable file"
      throw InputError(path: path, reason: .cannotOpen(why))
    }
    file = handle
  }

  deinit {
    if let file { hts_close(file) }
    free(buffer.s)
  }

  /// The next line without its line ending, or nil at the end of the file.
  /// - Throws: `InputError.readFailed` for truncated or corrupt compressed data.
  func nextLine() throws(InputError) -> ArraySlice<UInt8>? {
    guard let file else { return nil }
    let status = hts_getline(file, Int32(UInt8(ascii: "\n")), &buffer)
    if status == -1 {
      try checkCleanEnd()
      return nil
    }
    if status < -1 {
      throw InputError(
        path: path, line: lineNumber + 1,
        reason: .readFailed("corrupt or truncated data (compressed stream error)"))
    }
    lineNumber += 1
    var length = Int(buffer.l)
    let bytes = UnsafeRawPointer(buffer.s!).assumingMemoryBound(to: UInt8.self)
    if length > 0 && bytes[length - 1] == UInt8(ascii: "\r") { length -= 1 }
    return ArraySlice(UnsafeBufferPointer(start: bytes, count: length))
  }

  /// A clean EOF on compressed input must end a gzip member; `hts_getline` reports a truncated
  /// stream as EOF, so ask BGZF whether the last block was complete.
  private func checkCleanEnd() throws(InputError) {
    guard let file else { return }
    if file.pointee.is_bgzf != 0 || file.pointee.is_cram != 0 {
      if let bgzf = file.pointee.fp.bgzf, (bgzf.pointee.errcode) != 0 {
        throw InputError(
          path: path, line: lineNumber + 1,
          reason: .readFailed("truncated or corrupt gzip data"))
      }
    }
  }
}

/// An indexed reference genome (FASTA, plain or bgzip), read with htslib faidx.
public final class Genome: @unchecked Sendable {
  /// The FASTA path.
  public let path: String
  private let index: OpaquePointer

  /// Opens `path`, building `path.fai` (and `.gzi`) when missing. Calls `fai_load3`.
  /// - Throws: `InputError` if the file cannot be read or indexed.
  public init(path: String) throws(InputError) {
    _ = HTS.quiet
    self.path = path
    guard access(path, R_OK) == 0 else {
      throw InputError(path: path, reason: .cannotOpen(HTS.errnoText()))
    }
    errno = 0
    guard let index = fai_load3(path, nil, nil, Int32(FAI_CREATE.rawValue)) else {
      var why = "cannot read or index the genome FASTA"
      if errno != 0 { why += " (\(HTS.errnoText()))" }
      why += "; it must be plain or bgzip-compressed FASTA (plain gzip cannot be indexed: "
        + "gunzip it or recompress with bgzip), and its folder must be writable if the .fai is missing"
      throw InputError(path: path, reason: .genome(why))
    }
    self.index = index
  }

  deinit { fai_destroy(index) }

  /// Length of `chromosome`, or nil if the genome has no such sequence. Calls `faidx_seq_len`.
  public func length(of chromosome: String) -> Int? {
    guard faidx_has_seq(index, chromosome) != 0 else { return nil }
    let length = faidx_seq_len(index, chromosome)
    return length < 0 ? nil : Int(length)
  }

  /// Bases `start..<end` (0-based, half-open) of `chromosome`, as text bytes.
  /// Calls `faidx_fetch_seq64` (inclusive end) and frees its buffer.
  func bases(chromosome: String, start: Int, end: Int) -> [UInt8]? {
    var length: hts_pos_t = 0
    guard let raw = faidx_fetch_seq64(index, chromosome, hts_pos_t(start), hts_pos_t(end - 1), &length)
    else { return nil }
    defer { free(raw) }
    guard length == end - start else { return nil }
    return raw.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
      Array(UnsafeBufferPointer(start: $0, count: Int(length)))
    }
  }
}

