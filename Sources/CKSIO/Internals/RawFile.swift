#if canImport(Glibc)
  import Glibc
#endif

/// Reads a whole uncompressed file with POSIX `open`/`read`.
struct RawFile {
  let path: String

  init(path: String) throws(InputError) {
    self.path = path
  }

  func readAll() throws(InputError) -> [UInt8] {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else {
      throw InputError(path: path, reason: .cannotOpen(String(cString: strerror(errno))))
    }
    defer { close(descriptor) }
    var bytes = [UInt8]()
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        throw InputError(path: path, reason: .readFailed(String(cString: strerror(errno))))
      }
      if count == 0 { break }
      bytes += chunk[0..<count]
    }
    return bytes
  }
}
