/// How much a caller wants to hear.
public enum LogLevel: Int, Comparable, Sendable {
  case error = 0, warning, info, debug

  public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A caller-supplied log sink, the core's only way to talk.
///
/// The core never prints.
public typealias LogSink = @Sendable (LogLevel, String) -> Void

/// A sink that drops everything.
public let silentLog: LogSink = { _, _ in }
