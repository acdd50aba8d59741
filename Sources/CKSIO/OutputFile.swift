#if canImport(Glibc)
  import Glibc
#endif

/// Writes output files atomically.
///
/// All bytes go to a temporary file beside the target, which is renamed
/// over it only when complete, so a failed or interrupted run leaves no half-written file.
/// The path `-` writes to standard output instead.
public enum OutputFile {
  /// Paths of temporary files being written, removed by `removeTemporaryFiles()` on a signal.
  nonisolated(unsafe) static var pending = Set<String>()

  /// Writes `bytes` to `path` (or standard output for `-`).
  /// - Throws: `InputError` (with the target path) when the file cannot be written.
  public static func write(_ bytes: [UInt8], to path: String) throws(InputError) {
    if path == "-" {
      try writeAll(bytes, to: STDOUT_FILENO, path: path)
      return
    }
    let temporary = path + ".tmp-\(getpid())"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else {
      throw InputError(
        path: path, reason: .other("cannot write: \(String(cString: strerror(errno)))"))
    }
    pending.insert(temporary)
    defer { pending.remove(temporary) }
    do {
      try writeAll(bytes, to: descriptor, path: path)
    } catch {
      close(descriptor)
      unlink(temporary)
      throw error
    }
    guard close(descriptor) == 0, rename(temporary, path) == 0 else {
      let why = String(cString: strerror(errno))
      unlink(temporary)
      throw InputError(path: path, reason: .other("cannot write: \(why)"))
    }
  }

  /// Writes text as UTF-8.
  public static func write(_ text: String, to path: String) throws(InputError) {
    try write(Array(text.utf8), to: path)
  }

  /// Removes temporary files of writes in progress (for signal handlers and fatal exits).
  public static func removeTemporaryFiles() {
    for path in pending { unlink(path) }
  }

  private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String)
    throws(InputError)
  {
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBufferPointer { buffer in
        Glibc.write(descriptor, buffer.baseAddress.map { $0 + offset }, bytes.count - offset)
      }
      if written < 0 {
        if errno == EINTR { continue }
        throw InputError(
          path: path, reason: .other("cannot write: \(String(cString: strerror(errno)))"))
      }
      offset += written
    }
  }
}
