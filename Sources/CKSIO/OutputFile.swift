import Synchronization

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
  /// Writers on several threads share it, hence the lock.
  static let pending = Mutex(Set<String>())

  /// Writes `bytes` to `path` (or standard output for `-`), atomically.
  /// - Throws: `InputError` (with the target path) when the file cannot be written.
  public static func write(_ bytes: [UInt8], to path: String) throws(InputError) {
    let writer = try OutputWriter(path: path)
    try writer.write(bytes)
    try writer.commit()
  }

  /// Opens a streaming writer for `path` (`-` for standard output).
  public static func writer(to path: String) throws(InputError) -> OutputWriter {
    try OutputWriter(path: path)
  }

  /// Writes text as UTF-8.
  public static func write(_ text: String, to path: String) throws(InputError) {
    try write(Array(text.utf8), to: path)
  }

  /// Removes temporary files of writes in progress (for signal handlers and fatal exits).
  ///
  /// Never waits: if the interrupted thread holds the lock (it is adding or removing a path,
  /// a few instructions), the files are left rather than risking a deadlock in a handler.
  public static func removeTemporaryFiles() {
    _ = pending.withLockIfAvailable { paths in
      for path in paths { unlink(path) }
    }
  }

}

/// Streams output to a temporary file beside `path`, renamed over it by `commit()`.
///
/// If the writer is dropped without `commit()` (an error, a signal), the temporary file is
/// removed and `path` is untouched. Writes are buffered (1 MB). For `-` it writes to standard
/// output and `commit()` only flushes.
public final class OutputWriter {
  /// The target path.
  public let path: String
  private let temporary: String?
  private var descriptor: Int32
  private var buffer = [UInt8]()
  private var committed = false

  init(path: String) throws(InputError) {
    self.path = path
    if path == "-" {
      temporary = nil
      descriptor = STDOUT_FILENO
      return
    }
    let temporary = path + ".tmp-\(getpid())"
    descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else {
      throw InputError(
        path: path, reason: .other("cannot write: \(String(cString: strerror(errno)))"))
    }
    self.temporary = temporary
    _ = OutputFile.pending.withLock { $0.insert(temporary) }
    buffer.reserveCapacity(1 << 20)
  }

  deinit {
    if !committed, let temporary {
      close(descriptor)
      unlink(temporary)
      _ = OutputFile.pending.withLock { $0.remove(temporary) }
    }
  }

  /// Appends text.
  public func write(_ text: String) throws(InputError) {
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= 1 << 20 { try flush() }
  }

  /// Appends bytes.
  public func write(_ bytes: [UInt8]) throws(InputError) {
    buffer += bytes
    if buffer.count >= 1 << 20 { try flush() }
  }

  /// Writes out the buffer.
  public func flush() throws(InputError) {
    var offset = 0
    while offset < buffer.count {
      let written = buffer.withUnsafeBufferPointer { bytes in
        Glibc.write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
      }
      if written < 0 {
        if errno == EINTR { continue }
        throw InputError(
          path: path, reason: .other("cannot write: \(String(cString: strerror(errno)))"))
      }
      offset += written
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Flushes and, for a file, renames the temporary file over `path`.
  public func commit() throws(InputError) {
    try flush()
    guard let temporary else {
      committed = true
      return
    }
    guard close(descriptor) == 0, rename(temporary, path) == 0 else {
      let why = String(cString: strerror(errno))
      throw InputError(path: path, reason: .other("cannot write: \(why)"))
    }
    committed = true
    _ = OutputFile.pending.withLock { $0.remove(temporary) }
  }
}
