import CKSCore
import CKSIO

/// `cks evaluate`: ROC AUC of a model on labelled test sets.
struct Evaluate: Command {
  static let name = "evaluate"
  static let abstract = "ROC AUC of a model on labelled test sets (TSV), optional ROC plot"
  static let usage =
    "--model MODEL [TEST...] [--positives FA --negatives FA]... [--roc FILE.svg] [options]"
  static let overview = """
    Each TEST is a DeepBind file whose Bound column gives the labels (e.g. a *_B.seq.gz test
    set). Labelled sets can also be given as pairs of --positives and --negatives files (any
    format), matched in order. Prints one TSV row per test set: test, positives, negatives, auc.
    AUC is exact (Mann-Whitney, ties count one half).
    """
  static let arguments = [("TEST...", "DeepBind-format test sets with a Bound column")]
  static let options: [OptionSpec] =
    [
      .model,
      OptionSpec(
        long: "positives", short: "p", value: "FILE",
        help: "a test set's positives (repeatable; pairs with --negatives in order)",
        repeatable: true),
      OptionSpec(
        long: "negatives", short: "n", value: "FILE", help: "a test set's negatives (repeatable)",
        repeatable: true),
      OptionSpec(
        long: "roc", value: "FILE.svg",
        help: "also draw the ROC curves (one per test set, AUC in the legend) as SVG"),
      OptionSpec(
        long: "curve", value: "FILE.tsv", help: "also write the ROC points (test, fpr, tpr) as TSV"),
      .tableOutput,
    ] + InputOptions.specs + CommonOptions.specs

  var modelPath: String
  var tests: [String]
  var pairs: [(String, String)]
  var rocPath: String?
  var curvePath: String?
  var outputPath: String
  var input: InputOptions
  var common: CommonOptions

  init(_ scanner: ArgumentScanner) throws(UsageError) {
    guard let model = scanner.value("model") else {
      throw UsageError(message: "missing --model MODEL")
    }
    modelPath = model
    tests = scanner.positionals
    let positives = scanner.all("positives")
    let negatives = scanner.all("negatives")
    guard positives.count == negatives.count else {
      throw UsageError(
        message:
          "--positives and --negatives must come in pairs (got \(positives.count) and \(negatives.count))"
      )
    }
    pairs = Array(zip(positives, negatives))
    guard !tests.isEmpty || !pairs.isEmpty else { throw UsageError(message: "missing TEST file") }
    rocPath = scanner.value("roc")
    curvePath = scanner.value("curve")
    outputPath = scanner.value("output") ?? "-"
    input = try InputOptions(scanner)
    common = try CommonOptions(scanner)
    try requireReadable([model] + tests + positives + negatives, option: "input")
  }

  func run() throws {
    let log = Console.logSink(command: Self.name, level: common.logLevel)
    let scorer = try ModelFile.read(path: modelPath).scorer(threadCount: common.threadCount)
    let reader = try input.reader()
    var sets = [(name: String, path: String, sequences: [DNASequence], labels: [Bool])]()
    for path in tests {
      let records = try reader.read(path: path).records
      var labels = [Bool]()
      for record in records {
        guard let label = record.label else {
          throw InputError(
            path: path,
            reason: .other(
              "test set has no labels: give a DeepBind file with a Bound column, or --positives/--negatives"
            ))
        }
        labels.append(label)
      }
      sets.append((baseName(path), path, records.map(\.sequence), labels))
    }
    for (positivesPath, negativesPath) in pairs {
      let positives = try reader.read(path: positivesPath).records
      let negatives = try reader.read(path: negativesPath).records
      sets.append(
        (
          baseName(positivesPath), positivesPath, (positives + negatives).map(\.sequence),
          [Bool](repeating: true, count: positives.count)
            + [Bool](repeating: false, count: negatives.count)
        ))
    }
    var table = "test\tpositives\tnegatives\tauc\n"
    var curves = [ROCPlot.Curve]()
    var points = "test\tfpr\ttpr\n"
    for set in sets {
      let scores = scorer.scores(of: set.sequences, threadCount: common.threadCount)
      let auc: Double
      do {
        auc = try ROC.auc(scores: scores, labels: set.labels)
      } catch {
        throw InputError(path: set.path, reason: .other("\(error)"))
      }
      let positives = set.labels.filter { $0 }.count
      table += "\(set.name)\t\(positives)\t\(set.labels.count - positives)\t\(formatAUC(auc))\n"
      let curve = try ROC.curve(scores: scores, labels: set.labels)
      curves.append(ROCPlot.Curve(name: set.name, auc: auc, points: curve))
      for point in curve {
        points += "\(set.name)\t\(point.falsePositiveRate)\t\(point.truePositiveRate)\n"
      }
      log(.debug, "\(set.path): AUC \(auc)")
    }
    if let rocPath {
      try OutputFile.write(ROCPlot.svg(curves, title: "ROC: \(baseName(modelPath))"), to: rocPath)
    }
    if let curvePath { try OutputFile.write(points, to: curvePath) }
    try OutputFile.write(table, to: outputPath)
  }
}
