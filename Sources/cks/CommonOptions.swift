import CKSCore
import CKSIO
import Dispatch

#if canImport(Glibc)
  import Glibc
#endif

/// Options every subcommand accepts, with the same meaning everywhere.
struct CommonOptions {
  var threadCount: Int
  var seed: UInt64
  var logLevel: LogLevel

  static let specs: [OptionSpec] = [
    OptionSpec(
      long: "threads", short: "t", value: "N", help: "worker threads; results do not depend on it",
      defaultValue: "all CPUs"),
    OptionSpec(
      long: "seed", short: "s", value: "S", help: "random seed (filters, shuffles, hold-out split)",
      defaultValue: "1"),
    OptionSpec(long: "quiet", short: "q", value: nil, help: "print only errors on stderr"),
    OptionSpec(
      long: "verbose", short: "v", value: nil, help: "print more progress detail on stderr"),
    OptionSpec(long: "help", short: "h", value: nil, help: "show this help"),
  ]

  init(_ scanner: ArgumentScanner) throws(UsageError) {
    let cpus = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    threadCount = try scanner.integer("threads", default: max(1, cpus), in: 1...256)
    if let text = scanner.value("seed") {
      guard let seed = UInt64(text) else {
        throw UsageError(message: "--seed must be a non-negative integer below 2^64, got '\(text)'")
      }
      self.seed = seed
    } else {
      seed = 1
    }
    if scanner.flag("quiet") && scanner.flag("verbose") {
      throw UsageError(message: "--quiet and --verbose cannot be used together")
    }
    logLevel = scanner.flag("quiet") ? .warning : (scanner.flag("verbose") ? .debug : .info)
  }
}

/// Input options shared by commands that read sequences.
struct InputOptions {
  var format: SequenceFormat?
  var genomePath: String?
  var windowWidth: Int

  static let specs: [OptionSpec] = [
    OptionSpec(
      long: "format", short: "f", value: "FMT", help: "input format: deepbind, fasta or bed",
      defaultValue: "detected from content"),
    OptionSpec(
      long: "genome", short: "g", value: "FA",
      help:
        "reference genome FASTA (plain or bgzip) for BED/narrowPeak input; .fai built if missing"),
    OptionSpec(
      long: "window", short: "w", value: "N",
      help: "bases cut around each BED summit (narrowPeak column 10) or midpoint",
      defaultValue: "101"),
  ]

  init(_ scanner: ArgumentScanner) throws(UsageError) {
    if let text = scanner.value("format") {
      guard let format = SequenceFormat(rawValue: text) else {
        throw UsageError(message: "--format must be deepbind, fasta or bed, got '\(text)'")
      }
      self.format = format
    }
    genomePath = scanner.value("genome")
    windowWidth = try scanner.integer("window", default: 101, in: 1...1_000_000)
  }

  /// A reader with the genome opened (indexed) if one was given.
  func reader() throws(InputError) -> SequenceReader {
    let genome = try genomePath.map { (path: String) throws(InputError) -> Genome in
      let genome = try Genome(path: path)
      if genome.temporaryIndex {
        Console.error(
          "cks: warning: "
            + "\(path): cannot write \(path).fai beside the genome; indexed it in a temporary folder "
            + "(redone on every run: index it with 'samtools faidx' where you can write)")
      }
      return genome
    }
    return SequenceReader(format: format, genome: genome, windowWidth: windowWidth)
  }
}

/// Checks that input files exist before any work starts (`-` is standard input).
func requireReadable(_ paths: [String], option: String) throws(UsageError) {
  for path in paths where path != "-" {
    if access(path, R_OK) != 0 {
      throw UsageError(
        message: "\(option): cannot read '\(path)': \(String(cString: strerror(errno)))")
    }
  }
}

/// The last path component, for table rows and legends.
func baseName(_ path: String) -> String {
  path.split(separator: "/").last.map(String.init) ?? path
}

/// Seconds since `start` (a `DispatchTime` uptime in nanoseconds).
func secondsSince(_ start: UInt64) -> Double {
  Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
