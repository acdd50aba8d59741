import CKSCore

/// A command-line usage mistake: printed with a one-line usage, exit status 64.
struct UsageError: Error {
  var message: String
}

/// One option a subcommand accepts.
struct OptionSpec {
  /// Long name without dashes (`positives`).
  var long: String
  /// One-letter alias without the dash, if any.
  var short: Character?
  /// Placeholder for the value (`FILE`), or nil for a flag.
  var value: String?
  /// Description for `--help`.
  var help: String
  /// Default shown in brackets, if any.
  var defaultValue: String?
  /// Whether the option may be given more than once.
  var repeatable = false
}

/// The kernel `train` and `bench` use unless told otherwise: it had the higher held-out AUC on
/// all 13 DeepBind ENCODE sets (README, "Exact or random kernel").
let defaultKernel = KernelKind.exact

/// The strands counted unless told otherwise: both raised the held-out AUC on all 13 sets.
let defaultStrand = Strand.both

extension OptionSpec {
  /// `--model MODEL`, shared by the commands that use a trained model.
  static let model = OptionSpec(
    long: "model", short: "M", value: "MODEL", help: "model file from 'cks train'")

  /// `--kernel random|exact`.
  static let kernel = OptionSpec(
    long: "kernel", short: "k", value: "KIND",
    help: "exact (the convolutional n-gram kernel, solved in n-mer space) or random "
      + "(M random features, thesis Algorithm 2)", defaultValue: defaultKernel.rawValue)

  /// `--strand forward|both`.
  static let strand = OptionSpec(
    long: "strand", value: "S",
    help: "both: count each sequence and its reverse complement; or forward",
    defaultValue: defaultStrand.rawValue)

  /// `-o/--output OUT` for TSV results.
  static let tableOutput = OptionSpec(
    long: "output", short: "o", value: "OUT",
    help: "TSV file to write (atomically); - for stdout", defaultValue: "-")
}

/// Parses `--name value`, `--name=value`, `-n value`, flags, repeated options and `--`.
///
/// Unknown options, duplicates of non-repeatable options and missing values are usage errors that
/// name the offending token.
struct ArgumentScanner {
  private(set) var values: [String: [String]] = [:]
  private(set) var flags: Set<String> = []
  private(set) var positionals: [String] = []

  init(_ arguments: [String], options: [OptionSpec]) throws(UsageError) {
    var index = 0
    var onlyPositionals = false
    func spec(for token: String) throws(UsageError) -> OptionSpec {
      let found: OptionSpec?
      if token.hasPrefix("--") {
        found = options.first { $0.long == token.dropFirst(2) }
      } else {
        found = options.first { $0.short.map(String.init) == String(token.dropFirst()) }
      }
      guard let found else { throw UsageError(message: "unknown option '\(token)'") }
      return found
    }
    while index < arguments.count {
      let token = arguments[index]
      index += 1
      if onlyPositionals || token == "-" || !token.hasPrefix("-") {
        positionals.append(token)
        continue
      }
      if token == "--" {
        onlyPositionals = true
        continue
      }
      var name = token
      var inlineValue: String?
      if token.hasPrefix("--"), let equals = token.firstIndex(of: "=") {
        name = String(token[..<equals])
        inlineValue = String(token[token.index(after: equals)...])
      }
      let option = try spec(for: name)
      if option.value == nil {
        if inlineValue != nil { throw UsageError(message: "option '\(name)' takes no value") }
        if flags.contains(option.long) && !option.repeatable {
          throw UsageError(message: "option '\(name)' given more than once")
        }
        flags.insert(option.long)
        continue
      }
      let value: String
      if let inlineValue {
        value = inlineValue
      } else {
        guard index < arguments.count else {
          throw UsageError(message: "option '\(name)' needs a value (\(option.value ?? "VALUE"))")
        }
        value = arguments[index]
        index += 1
      }
      if values[option.long] != nil && !option.repeatable {
        throw UsageError(message: "option '\(name)' given more than once")
      }
      values[option.long, default: []].append(value)
    }
  }

  /// The single value of an option, if given.
  func value(_ long: String) -> String? { values[long]?.last }

  /// All values of a repeatable option.
  func all(_ long: String) -> [String] { values[long] ?? [] }

  /// Whether a flag was given.
  func flag(_ long: String) -> Bool { flags.contains(long) }

  /// An integer option within `range`, or `defaultValue`.
  func integer(_ long: String, default defaultValue: Int, in range: ClosedRange<Int>)
    throws(UsageError) -> Int
  {
    guard let text = value(long) else { return defaultValue }
    guard let number = Int(text), range.contains(number) else {
      throw UsageError(
        message:
          "--\(long) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'"
      )
    }
    return number
  }

  /// A real option satisfying `valid`, or `defaultValue`.
  func real(_ long: String, default defaultValue: Double, rule: String, _ valid: (Double) -> Bool)
    throws(UsageError) -> Double
  {
    guard let text = value(long) else { return defaultValue }
    guard let number = Double(text), number.isFinite, valid(number) else {
      throw UsageError(message: "--\(long) must be \(rule), got '\(text)'")
    }
    return number
  }

  /// A comma-separated list of reals, each satisfying `valid`.
  func realList(
    _ long: String, default defaultValue: [Double], rule: String, _ valid: (Double) -> Bool
  ) throws(UsageError) -> [Double] {
    try list(long, default: defaultValue, rule: "numbers \(rule)") { part in
      Double(part).flatMap { $0.isFinite && valid($0) ? $0 : nil }
    }
  }

  /// A comma-separated list of top-group weights (each a number >= 1) or `only`.
  func topEmphases(_ long: String, default defaultValue: [TopEmphasis]) throws(UsageError)
    -> [TopEmphasis]
  {
    try list(long, default: defaultValue, rule: "numbers >= 1 or 'only'") { part in
      if part == "only" { return .only }
      return Double(part).flatMap { $0.isFinite && $0 >= 1 ? .weight($0) : nil }
    }
  }

  /// A comma-separated list of distinct values, each read by `parse` (nil: not valid).
  private func list<Value: Hashable>(
    _ long: String, default defaultValue: [Value], rule: String, _ parse: (Substring) -> Value?
  ) throws(UsageError) -> [Value] {
    guard let text = value(long) else { return defaultValue }
    var list = [Value]()
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      guard let item = parse(part.trimmingSpaces) else {
        throw UsageError(
          message: "--\(long) must be a comma-separated list of \(rule), got '\(text)'")
      }
      list.append(item)
    }
    guard Set(list).count == list.count else {
      throw UsageError(message: "--\(long) lists a value twice: '\(text)'")
    }
    return list
  }
}

extension Substring {
  var trimmingSpaces: Substring {
    var result = self
    while result.first == " " { result = result.dropFirst() }
    while result.last == " " { result = result.dropLast() }
    return result
  }
}

extension ArgumentScanner {
  /// `--kernel`, or the default.
  func kernel() throws(UsageError) -> KernelKind {
    guard let text = value("kernel") else { return defaultKernel }
    guard let kind = KernelKind(rawValue: text) else {
      throw UsageError(message: "--kernel must be exact or random, got '\(text)'")
    }
    return kind
  }

  /// `--strand`, or forward.
  func strand() throws(UsageError) -> Strand {
    guard let text = value("strand") else { return defaultStrand }
    guard let strand = Strand(rawValue: text) else {
      throw UsageError(message: "--strand must be forward or both, got '\(text)'")
    }
    return strand
  }
}
