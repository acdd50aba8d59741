import CKSCore
import CKSIO

/// `cks predict`: score sequences with a trained model.
struct Predict: Command {
  static let name = "predict"
  static let abstract = "Score sequences with a trained model (TSV: id, score)"
  static let usage = "--model MODEL INPUT... [-o OUT] [options]"
  static let overview = """
    Writes one row per input sequence, in input order: its id (DeepBind EventID, FASTA name,
    or BED name / chrom:start-end window) and score w.phi(x) + b. Higher means more likely bound.
    """
  static let arguments = [("INPUT...", "DeepBind, FASTA or BED/narrowPeak files (- for stdin)")]
  static let options: [OptionSpec] =
    [
      .model,
      .tableOutput,
    ] + InputOptions.specs + CommonOptions.specs

  var modelPath: String
  var inputs: [String]
  var outputPath: String
  var input: InputOptions
  var common: CommonOptions

  init(_ scanner: ArgumentScanner) throws(UsageError) {
    guard let model = scanner.value("model") else {
      throw UsageError(message: "missing --model MODEL")
    }
    guard !scanner.positionals.isEmpty else { throw UsageError(message: "missing INPUT file") }
    modelPath = model
    inputs = scanner.positionals
    outputPath = scanner.value("output") ?? "-"
    input = try InputOptions(scanner)
    common = try CommonOptions(scanner)
    try requireReadable([model] + inputs, option: "input")
  }

  func run() throws {
    let log = Console.logSink(command: Self.name, level: common.logLevel)
    let scorer = try ModelFile.read(path: modelPath).scorer(threadCount: common.threadCount)
    let reader = try input.reader()
    let output = try OutputFile.writer(to: outputPath)
    try output.write("id\tscore\n")
    for path in inputs {
      let stream = try reader.open(path: path)
      var count = 0
      while true {
        let batch = try stream.next(maximumCount: 65536)
        if batch.isEmpty { break }
        let scores = scorer.scores(of: batch.map(\.sequence), threadCount: common.threadCount)
        var text = ""
        for (record, score) in zip(batch, scores) {
          guard score.isFinite else {
            throw InputError(
              path: path, record: record.id,
              reason: .other(
                "score is \(score): the model's table values overflow on this sequence"))
          }
          text += record.id
          text += "\t"
          text += score.description
          text += "\n"
        }
        try output.write(text)
        count += batch.count
      }
      log(.debug, "scored \(count) sequences from \(path)")
    }
    try output.commit()
  }
}
