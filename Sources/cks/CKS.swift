import CKSCore
import CKSIO

#if canImport(Glibc)
  import Glibc
#endif

/// Entry point: dispatches to a subcommand and maps errors to exit status.
///
/// Exit status: 0 success; 64 usage error (message, one-line usage, pointer to help);
/// 1 any other failure (bad input, numerical dead end, I/O); 130 interrupted.
@main
enum CKS {
  nonisolated(unsafe) static let commands: [any Command.Type] = [
    Train.self, Predict.self, Evaluate.self, Shuffle.self, Bench.self,
  ]

  static let rootHelp: String = {
    var text = """
      OVERVIEW: cks - Convolutional Kitchen Sinks for transcription-factor binding

      Learns where a TF binds DNA from ChIP-seq regions (DeepBind sets, FASTA, BED/narrowPeak
      plus a genome) with random convolutional features and ridge regression, scores new
      sequences, and reports ROC AUC.

      USAGE: cks <command> [options]

      COMMANDS:

      """
    for command in commands {
      text +=
        "  " + command.name + String(repeating: " ", count: max(1, 12 - command.name.count))
        + command.abstract + "\n"
    }
    text +=
      "  help        show help for a command\n\nSee 'cks help <command>' or 'cks <command> --help'.\n"
    return text
  }()

  static func main() {
    installSignalHandlers()
    let arguments = Array(CommandLine.arguments.dropFirst())
    guard let first = arguments.first else {
      Console.error(rootHelp)
      exit(64)
    }
    if first == "--help" || first == "-h" || (first == "help" && arguments.count == 1) {
      print(rootHelp, terminator: "")
      exit(0)
    }
    if first == "--version" {
      print("cks 0.1.0 (model format \(ModelFile.formatVersion))")
      exit(0)
    }
    if first == "help" {
      guard let command = commands.first(where: { $0.name == arguments[1] }) else {
        usageFailure("unknown command '\(arguments[1])'", command: nil)
      }
      print(command.help, terminator: "")
      exit(0)
    }
    guard let command = commands.first(where: { $0.name == first }) else {
      usageFailure("unknown command '\(first)'", command: nil)
    }
    let rest = Array(arguments.dropFirst())
    if rest.contains("--help") || rest.contains("-h") {
      print(command.help, terminator: "")
      exit(0)
    }
    let instance: any Command
    do {
      let scanner = try ArgumentScanner(rest, options: command.options)
      instance = try command.init(scanner)
    } catch {
      usageFailure(error.message, command: command)
    }
    do {
      try instance.run()
      Console.flushStandardOutput()
      exit(0)
    } catch let error as UsageError {
      usageFailure(error.message, command: command)
    } catch {
      Console.flushStandardOutput()
      OutputFile.removeTemporaryFiles()
      Console.error("cks \(command.name): error: \(error)")
      exit(1)
    }
  }

  static func usageFailure(_ message: String, command: (any Command.Type)?) -> Never {
    Console.flushStandardOutput()
    if let command {
      Console.error("cks \(command.name): error: \(message)")
      Console.error("usage: cks \(command.name) \(command.usage)")
      Console.error("see 'cks help \(command.name)'")
    } else {
      Console.error("cks: error: \(message)")
      Console.error("usage: cks <command> [options]")
      Console.error("see 'cks help'")
    }
    exit(64)
  }

  /// SIGINT/SIGTERM: remove temporary output files, say so, exit 130 (143 for SIGTERM).
  static func installSignalHandlers() {
    let handler: @convention(c) (Int32) -> Void = { signal in
      OutputFile.removeTemporaryFiles()
      let message = Array("cks: interrupted; no output file was written\n".utf8)
      message.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
      _exit(128 + signal)
    }
    signal(SIGINT, handler)
    signal(SIGTERM, handler)
    // A parent may have started us with these signals blocked (some process launchers do);
    // unblock them, or an interrupt would be held until exit.
    var unblock = sigset_t()
    sigemptyset(&unblock)
    sigaddset(&unblock, SIGINT)
    sigaddset(&unblock, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
  }
}
