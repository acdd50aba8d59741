import CKSCore
import CKSIO
import Dispatch

/// `cks train`: fit a CKS model from positives (and negatives or shuffles), tuning (γ, λ).
struct Train: Command {
  static let name = "train"
  static let abstract = "Train a CKS model from bound regions (and negatives or shuffles)"
  static let usage = "--positives FILE [--negatives FILE] [--genome FA] -o MODEL [options]"
  static let overview = """
    Reads positives (and negatives) as DeepBind, FASTA or BED/narrowPeak and fits ridge
    regression on labels +1/-1 with the convolutional n-gram kernel: exactly, in n-mer space
    (default), or through M random width-n convolution filters (--kernel random). Without --negatives,
    each positive gets --shuffles dinucleotide shuffles as negatives (rows with Bound=0 in a
    DeepBind --positives file are used as negatives instead). The exact kernel also tries
    each --top-weight for the first --top positives (a ranked file's strongest peaks) and their
    shuffles: weigh them more, or fit on them alone. Settings are scored by ROC AUC on held-out
    data: for the exact kernel, the first --holdout-from positives and their shuffles (strong
    peaks, like DeepBind's test sets) split into --folds parts; otherwise a seeded --holdout
    fraction. The best is refitted on all data (or on the top groups alone). The grid's
    held-out AUCs are printed to stdout as TSV; progress goes to stderr. Defaults were chosen
    on held-out training data (README: "Choosing the defaults").
    """
  static let arguments: [(String, String)] = []
  static let options: [OptionSpec] =
    [
      OptionSpec(
        long: "positives", short: "p", value: "FILE",
        help: "bound sequences: DeepBind (.seq.gz), FASTA or BED/narrowPeak (- for stdin)"),
      OptionSpec(
        long: "negatives", short: "n", value: "FILE",
        help: "unbound sequences; without it, dinucleotide shuffles of the positives"),
      OptionSpec(
        long: "output", short: "o", value: "MODEL", help: "model file to write (atomically)"),
      OptionSpec(
        long: "shuffles", value: "K",
        help: "dinucleotide shuffles per positive when no negatives are given",
        defaultValue: "3 exact, 1 random"),
      .kernel,
      OptionSpec(
        long: "filter-width", value: "N", help: "filter width n in bases (exact: 1-12)",
        defaultValue: "12 exact, 8 random"),
      .strand,
      OptionSpec(
        long: "features", short: "m", value: "M",
        help: "number of random features M (random kernel)",
        defaultValue: "8192"),
      OptionSpec(
        long: "gamma", value: "LIST", help: "kernel bandwidths to try, comma-separated, each > 0",
        defaultValue: "1 exact; 0.5,1,2 random"),
      OptionSpec(
        long: "lambda", value: "LIST",
        help: "ridge penalties to try, comma-separated, each >= 0 (exact: > 0)",
        defaultValue: "100,300,1000 exact; 1,10,100,1000,10000 random"),
      OptionSpec(
        long: "holdout", value: "F",
        help: "fraction of the groups (a positive and its shuffles) held out to choose the "
          + "settings; 0: no tuning, one value per grid", defaultValue: "0.1"),
      OptionSpec(
        long: "holdout-from", value: "N",
        help: "exact kernel: hold out the first N positives (strongest peaks first, as in "
          + "DeepBind files) and their shuffles instead, in --folds parts; 0: a --holdout "
          + "fraction of all", defaultValue: "500"),
      OptionSpec(
        long: "folds", value: "K",
        help: "exact kernel, --holdout-from: part 1 scores every grid point, the other parts "
          + "re-score each top weight's best one; the best mean wins", defaultValue: "3"),
      OptionSpec(
        long: "top", value: "K",
        help: "exact kernel: the first K positives and their shuffles are the top groups; 0: none",
        defaultValue: "2000"),
      OptionSpec(
        long: "top-weight", value: "LIST",
        help: "exact kernel: sample weights of the top groups to try (the rest weigh 1), "
          + "comma-separated, each >= 1, or 'only' to fit on the top groups alone",
        defaultValue: "3,only; 3 with --holdout 0"),
      OptionSpec(
        long: "tolerance", value: "T",
        help: "exact kernel: conjugate gradients stop at this relative residual",
        defaultValue: "1e-4"),
    ] + InputOptions.specs + CommonOptions.specs

  var positivesPath: String
  var negativesPath: String?
  var outputPath: String
  var shuffleCount: Int
  var trainingOptions = TrainingOptions()
  var input: InputOptions
  var common: CommonOptions

  init(_ scanner: ArgumentScanner) throws(UsageError) {
    guard scanner.positionals.isEmpty else {
      throw UsageError(message: "unexpected argument '\(scanner.positionals[0])'")
    }
    guard let positives = scanner.value("positives") else {
      throw UsageError(message: "missing --positives FILE")
    }
    guard let output = scanner.value("output") else {
      throw UsageError(message: "missing --output MODEL (-o)")
    }
    positivesPath = positives
    negativesPath = scanner.value("negatives")
    outputPath = output
    if positives == "-" && negativesPath == "-" {
      throw UsageError(message: "--positives and --negatives cannot both read standard input")
    }
    input = try InputOptions(scanner)
    common = try CommonOptions(scanner)
    trainingOptions.kernel = try scanner.kernel()
    trainingOptions.strand = try scanner.strand()
    // Defaults per kernel, from the study in the README ("Choosing the defaults").
    let exact = trainingOptions.kernel == .exact
    shuffleCount = try scanner.integer("shuffles", default: exact ? 3 : 1, in: 1...100)
    trainingOptions.filterWidth = try scanner.integer(
      "filter-width", default: exact ? 12 : 8,
      in: 1...(trainingOptions.kernel == .exact ? ExactModel.maximumWidth : 32))
    trainingOptions.tolerance = try scanner.real(
      "tolerance", default: 1e-4, rule: "in (0, 1)"
    ) { $0 > 0 && $0 < 1 }
    if trainingOptions.kernel == .exact && scanner.value("features") != nil {
      throw UsageError(message: "--features applies to --kernel random only")
    }
    trainingOptions.featureCount = try scanner.integer("features", default: 8192, in: 1...65536)
    trainingOptions.gammas = try scanner.realList(
      "gamma", default: exact ? [1] : [0.5, 1, 2], rule: "> 0"
    ) { $0 > 0 }
    trainingOptions.penalties = try scanner.realList(
      "lambda", default: exact ? [100, 300, 1000] : [1, 10, 100, 1000, 10000], rule: ">= 0"
    ) { $0 >= 0 }
    if trainingOptions.kernel == .exact && trainingOptions.penalties.contains(0) {
      throw UsageError(message: "--lambda must be > 0 with --kernel exact")
    }
    trainingOptions.holdoutFraction = try scanner.real("holdout", default: 0.1, rule: "in [0, 1)") {
      $0 >= 0 && $0 < 1
    }
    for option in ["holdout-from", "folds", "top", "top-weight"]
    where !exact && scanner.value(option) != nil {
      throw UsageError(message: "--\(option) applies to --kernel exact only")
    }
    trainingOptions.holdoutPool = try scanner.integer(
      "holdout-from", default: exact ? 500 : 0, in: 0...Int(Int32.max))
    trainingOptions.holdoutFolds = try scanner.integer("folds", default: 3, in: 2...20)
    trainingOptions.topPositives = try scanner.integer(
      "top", default: exact ? 2000 : 0, in: 0...Int(Int32.max))
    // Without a hold-out nothing can choose between top weights: the default is then 3 alone.
    let untuned = trainingOptions.holdoutFraction == 0
    trainingOptions.topEmphases = try scanner.topEmphases(
      "top-weight", default: !exact ? [.weight(1)] : untuned ? [.weight(3)] : [.weight(3), .only])
    trainingOptions.seed = common.seed
    trainingOptions.threadCount = common.threadCount
    let emphases = trainingOptions.topPositives > 0 ? trainingOptions.topEmphases.count : 1
    if trainingOptions.holdoutFraction == 0
      && trainingOptions.gammas.count * trainingOptions.penalties.count * emphases > 1
    {
      throw UsageError(
        message: "--holdout 0 needs a single --gamma, a single --lambda and a single --top-weight "
          + "value (or --top 0)")
    }
    try requireReadable([positives] + (negativesPath.map { [$0] } ?? []), option: "input")
  }

  func run() throws {
    let start = DispatchTime.now().uptimeNanoseconds
    let log = Console.logSink(command: Self.name, level: common.logLevel)
    let reader = try input.reader()
    let data = try TrainingFiles(
      reader: reader, positives: positivesPath, negatives: negativesPath, shuffles: shuffleCount,
      seed: common.seed, threadCount: common.threadCount)
    if data.fileNegativeCount > 0 {
      log(
        .info,
        "\(positivesPath): using its \(data.fileNegativeCount) rows with Bound=0 as negatives")
    }
    let negativeSource = data.shuffleCount > 0 ? "dinucleotide-shuffle" : "file"
    let positiveCount = data.positiveCount
    let negativeCount = data.count - positiveCount
    log(.info, "read \(positiveCount) positives and \(negativeCount) negatives (\(negativeSource))")
    if data.shortestLength < trainingOptions.filterWidth {
      log(
        .warning,
        "some sequences are shorter than the filter width \(trainingOptions.filterWidth) (shortest \(data.shortestLength)); their features are all zero"
      )
    }

    let trainer = Trainer(options: trainingOptions, log: log)
    let result = try trainer.train(data: data)
    var table = "gamma\tlambda\ttop_weight\theldout_auc\tmean_auc\tchosen\n"
    for point in result.grid {
      let chosen =
        point.gamma == result.model.gamma && point.penalty == result.model.penalty
        && point.emphasis == result.emphasis
      table +=
        "\(format(point.gamma))\t\(format(point.penalty))\t\(point.emphasis)\t"
        + "\(point.holdoutAUC.map(formatAUC) ?? "NA")\t\(point.meanAUC.map(formatAUC) ?? "")\t"
        + "\(chosen ? "*" : "")\n"
    }
    var summary: [(String, String)] = [
      ("positives-file", baseName(positivesPath)),
      ("training-positives", String(positiveCount)),
      ("training-negatives", String(negativeCount)),
      ("negatives", negativeSource == "file" ? "file" : "dinucleotide-shuffle x\(shuffleCount)"),
      ("gamma-grid", trainingOptions.gammas.map(format).joined(separator: ",")),
      ("lambda-grid", trainingOptions.penalties.map(format).joined(separator: ",")),
    ]
    // The hold-out actually drawn: folds of the first positives, or a fraction of all groups.
    if result.holdoutFolds > 0 {
      summary.append(("holdout-from", String(trainingOptions.holdoutPool)))
      summary.append(("holdout-folds", String(result.holdoutFolds)))
    } else {
      summary.append(("holdout-fraction", "\(trainingOptions.holdoutFraction)"))
    }
    // The top groups, when they took part (not with negatives from a file).
    if result.grid.contains(where: { $0.emphasis != .weight(1) }) {
      summary.append(("top-positives", String(trainingOptions.topPositives)))
      summary.append(
        ("top-weight-grid", trainingOptions.topEmphases.map(\.description).joined(separator: ",")))
      summary.append(("top-weight", result.emphasis.description))
    }
    if let auc = result.holdoutAUC { summary.append(("holdout-auc", formatAUC(auc))) }
    try ModelFile.write(
      result.model, summary: summary, threadCount: common.threadCount, to: outputPath)
    print(table, terminator: "")
    log(
      .info,
      "wrote \(outputPath) (gamma \(format(result.model.gamma)), lambda \(format(result.model.penalty))) "
        + "in \(Console.format1(secondsSince(start))) s")
  }
}
