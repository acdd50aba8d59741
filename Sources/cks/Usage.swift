/// A subcommand, parsed and validated in `init`, then run by `run()`.
///
/// Nothing is read or computed before `run`.
protocol Command {
  static var name: String { get }
  static var abstract: String { get }
  static var usage: String { get }
  static var overview: String { get }
  /// Positional arguments: (name, description).
  static var arguments: [(String, String)] { get }
  static var options: [OptionSpec] { get }
  init(_ scanner: ArgumentScanner) throws(UsageError)
  func run() throws
}

extension Command {
  /// The `--help` text: OVERVIEW, USAGE, ARGUMENTS, OPTIONS.
  static var help: String {
    var text = "OVERVIEW: \(abstract)\n"
    if !overview.isEmpty { text += "\n" + overview + "\n" }
    text += "\nUSAGE: cks \(name) \(usage)\n"
    if !arguments.isEmpty {
      text += "\nARGUMENTS:\n"
      for (argument, description) in arguments {
        text += formatRow(argument, description)
      }
    }
    text += "\nOPTIONS:\n"
    for option in options {
      var left = option.short.map { "-\($0), " } ?? "    "
      left += "--\(option.long)"
      if let value = option.value { left += " \(value)" }
      var description = option.help
      if let defaultValue = option.defaultValue { description += " [default: \(defaultValue)]" }
      text += formatRow(left, description)
    }
    return text
  }

  private static func formatRow(_ left: String, _ description: String) -> String {
    let column = 26
    let width = 100
    var lines = [String]()
    var current = ""
    for word in description.split(separator: " ") {
      if !current.isEmpty && column + current.count + word.count + 1 > width {
        lines.append(current)
        current = ""
      }
      current += (current.isEmpty ? "" : " ") + word
    }
    lines.append(current)
    let lead = "  " + left
    var text = ""
    if lead.count < column {
      text += lead + String(repeating: " ", count: column - lead.count) + lines[0] + "\n"
    } else {
      text += lead + "\n" + String(repeating: " ", count: column) + lines[0] + "\n"
    }
    for line in lines.dropFirst() {
      text += String(repeating: " ", count: column) + line + "\n"
    }
    return text
  }
}
