import CKSCore
import CKSIO

/// `cks shuffle`: dinucleotide-shuffled FASTA.
struct Shuffle: Command {
  static let name = "shuffle"
  static let abstract = "Write dinucleotide shuffles of sequences as FASTA"
  static let usage = "INPUT [-o OUT] [--shuffles K] [--seed S] [options]"
  static let overview = """
    Each output sequence keeps its source's exact dinucleotide counts and first and last
    base (Altschul-Erickson). Records are named ID_shufK. Same seed, same output.
    """
  static let arguments = [("INPUT", "DeepBind, FASTA or BED/narrowPeak file (- for stdin)")]
  static let options: [OptionSpec] =
    [
      OptionSpec(
        long: "output", short: "o", value: "OUT",
        help: "FASTA file to write (atomically); - for stdout", defaultValue: "-"),
      OptionSpec(
        long: "shuffles", value: "K", help: "shuffles per input sequence", defaultValue: "1"),
    ] + InputOptions.specs + CommonOptions.specs

  var inputPath: String
  var outputPath: String
  var shuffleCount: Int
  var input: InputOptions
  var common: CommonOptions

  init(_ scanner: ArgumentScanner) throws(UsageError) {
    guard scanner.positionals.count == 1 else {
      throw UsageError(
        message: scanner.positionals.isEmpty
          ? "missing INPUT file" : "expected one INPUT file, got \(scanner.positionals.count)")
    }
    inputPath = scanner.positionals[0]
    outputPath = scanner.value("output") ?? "-"
    shuffleCount = try scanner.integer("shuffles", default: 1, in: 1...1000)
    input = try InputOptions(scanner)
    common = try CommonOptions(scanner)
    try requireReadable([inputPath], option: "input")
  }

  func run() throws {
    let records = try input.reader().read(path: inputPath).records
    let shuffled = DinucleotideShuffle.shuffles(
      of: records.map(\.sequence), count: shuffleCount, seed: common.seed,
      threadCount: common.threadCount)
    var text = ""
    for (index, sequence) in shuffled.enumerated() {
      text +=
        ">\(records[index / shuffleCount].id)_shuf\(index % shuffleCount + 1)\n\(sequence.text)\n"
    }
    try OutputFile.write(text, to: outputPath)
  }
}
