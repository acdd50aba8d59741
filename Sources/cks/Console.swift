import CKSCore
import Dispatch

#if canImport(Glibc)
  import Glibc
#endif

/// Standard error output, progress lines and the log sink handed to the core.
enum Console {
  /// Writes text to standard error (unbuffered, whole line at once).
  static func error(_ text: String) {
    var bytes = Array(text.utf8)
    if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
    bytes.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
  }

  /// Flushes buffered standard output (before an error message, so the streams stay in order).
  static func flushStandardOutput() {
    fflush(nil)
  }

  /// Whether standard output is a terminal.
  static var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }

  /// A log sink for the core that prefixes `cks <command>:` and the elapsed seconds.
  static func logSink(command: String, level: LogLevel) -> LogSink {
    let start = DispatchTime.now().uptimeNanoseconds
    return { messageLevel, message in
      guard messageLevel <= level else { return }
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      let tag = messageLevel == .warning ? "warning: " : (messageLevel == .error ? "error: " : "")
      Console.error("cks \(command): [\(String(format1(seconds)))s] \(tag)\(message)")
    }
  }

  static func format1(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
  }
}
