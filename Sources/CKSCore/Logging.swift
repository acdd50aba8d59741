/// How much a caller wants to hear.
public enum LogLevel: Int, Comparable, Sendable {
  case error = 0, warning, info, debug

  public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The core's only way to talk: a caller-supplied sink. The core never prints.
public typealias LogSink = @Sendable (LogLevel, String) -> Void

/// A sink that drops everything.
public let silentLog: LogSink = { _, _ in }
