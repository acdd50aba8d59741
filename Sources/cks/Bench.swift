import CKSCore
import CKSIO
import Foundation

/// `cks bench`: training and prediction speed against this machine's measured ceilings.
struct Bench: Command {
  static let name = "bench"
  static let abstract = "Measure training and prediction speed against this machine's ceilings"
  static let usage = "[--positives FILE] [--test FILE] [--sizes LIST] [options]"
  static let overview = """
    Measures, in one run: the machine's ceilings (cosine rate of the feature kernel, OpenBLAS
    ssyrk GFLOP/s at the same M); training at each size (each in a fresh process: sequences,
    feature seconds and cosines/s, Gram seconds and GFLOP/s, solve seconds, total train wall
    time, peak resident memory), each stage as a fraction of its ceiling; and prediction
    throughput through the n-mer table and the direct route (in memory, and end to end through
    'cks predict' on 10 copies of the gzipped input), with the largest scores' difference and the
    test AUC through both routes. Training uses one gamma and one lambda with a 10% hold-out.
    """
  static let arguments: [(String, String)] = []
  static let options: [OptionSpec] =
    [
      OptionSpec(
        long: "positives", short: "p", value: "FILE",
        help: "training positives (shuffles are added as negatives)",
        defaultValue: "Data/FOXA1_HepG2_FOXA1_(SC-101058)_HudsonAlpha_AC.seq.gz"),
      OptionSpec(
        long: "test", value: "FILE", help: "labelled DeepBind test set for the AUC check",
        defaultValue: "the positives file with _AC replaced by _B, if it exists"),
      OptionSpec(
        long: "sizes", value: "LIST",
        help:
          "training sizes in sequences (positives + shuffles), comma-separated; 'all' = every sequence",
        defaultValue: "all"),
      OptionSpec(
        long: "features", short: "m", value: "M", help: "random features M (random kernel)",
        defaultValue: "8192"),
      .kernel,
      .strand,
      OptionSpec(long: "filter-width", value: "N", help: "filter width n", defaultValue: "8"),
      OptionSpec(long: "gamma", value: "G", help: "kernel bandwidth", defaultValue: "1"),
      OptionSpec(long: "lambda", value: "L", help: "ridge penalty", defaultValue: "100"),
      OptionSpec(long: "child-size", value: "N", help: "(internal) train one size and report"),
      OptionSpec(
        long: "model-out", value: "FILE", help: "(internal) where the child writes its model"),
    ] + CommonOptions.specs

  var positivesPath: String
  var testPath: String?
  var sizes: [Int?]
  var featureCount: Int
  var filterWidth: Int
  var gamma: Double
  var penalty: Double
  var kernel: KernelKind
  var strand: Strand
  var childSize: Int?
  var modelOut: String?
  var common: CommonOptions

  init(_ scanner: ArgumentScanner) throws(UsageError) {
    positivesPath =
      scanner.value("positives") ?? "Data/FOXA1_HepG2_FOXA1_(SC-101058)_HudsonAlpha_AC.seq.gz"
    if let test = scanner.value("test") {
      testPath = test
    } else if positivesPath.contains("_AC.") {
      let guess = positivesPath.replacingOccurrences(of: "_AC.", with: "_B.")
      testPath = FileManager.default.fileExists(atPath: guess) ? guess : nil
    }
    var sizes = [Int?]()
    for part in (scanner.value("sizes") ?? "all").split(separator: ",") {
      if part == "all" {
        sizes.append(nil)
      } else if let size = Int(part), size >= 10 {
        sizes.append(size)
      } else {
        throw UsageError(message: "--sizes must list integers >= 10 or 'all', got '\(part)'")
      }
    }
    self.sizes = sizes
    kernel = try scanner.kernel()
    strand = try scanner.strand()
    featureCount = try scanner.integer("features", default: 8192, in: 1...65536)
    filterWidth = try scanner.integer("filter-width", default: 8, in: 1...32)
    gamma = try scanner.real("gamma", default: 1, rule: "> 0") { $0 > 0 }
    penalty = try scanner.real("lambda", default: 100, rule: ">= 0") { $0 >= 0 }
    childSize = try scanner.value("child-size").map { (text: String) throws(UsageError) -> Int in
      guard let size = Int(text) else { throw UsageError(message: "bad --child-size '\(text)'") }
      return size
    }
    modelOut = scanner.value("model-out")
    common = try CommonOptions(scanner)
    try requireReadable([positivesPath] + (testPath.map { [$0] } ?? []), option: "input")
  }

  func run() throws {
    if let childSize {
      try runChild(size: childSize)
      return
    }
    let threads = common.threadCount
    let log = Console.logSink(command: Self.name, level: common.logLevel)
    let positives = try SequenceReader().read(path: positivesPath).records.filter {
      $0.label ?? true
    }
    let total = positives.count * 2
    print(
      "cks bench: \(baseName(positivesPath)) (\(positives.count) positives + 1 shuffle each), "
        + "\(kernel.rawValue) kernel, n=\(filterWidth)"
        + (kernel == .random ? ", M=\(featureCount)" : "")
        + ", \(strand.rawValue) strand\(strand == .both ? "s" : ""), gamma \(format(gamma)), "
        + "lambda \(format(penalty)), \(threads) threads\n")

    // Train first, in fresh processes, before this process allocates anything large: a child's
    // peak-memory counter starts from its parent's.
    let header =
      kernel == .random
      ? [
        "sequences", "features_s", "cos_per_s", "of_ceiling", "gram_s", "gflop_s", "of_ceiling",
        "solve_s", "train_s", "us_per_seq", "peak_MB",
      ]
      : ["sequences", "cg_iterations", "solve_s", "train_s", "us_per_seq", "peak_MB"]
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "cks-bench-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let modelPath = folder.appendingPathComponent("bench.model").path
    var largest = 0
    var rows = [(Double, Double) -> [String]]()
    for size in sizes {
      let count = min(size ?? total, total)
      log(.info, "training on \(count) sequences")
      let fields = try spawnChild(size: count, modelPath: count >= largest ? modelPath : nil)
      largest = max(largest, count)
      let values = fields.compactMap(Double.init)
      guard values.count == 9 else {
        throw InputError(path: positivesPath, reason: .other("bench child printed \(fields)"))
      }
      let (sequences, featureSeconds, cosines, gramSeconds, flops, solveSeconds, trainSeconds) =
        (values[0], values[1], values[2], values[3], values[4], values[5], values[6])
      let perSequence = fixed(trainSeconds / sequences * 1e6, 1)
      if kernel == .exact {
        rows.append { _, _ in
          [
            String(Int(sequences)), String(Int(values[8])), fixed(solveSeconds, 2),
            fixed(trainSeconds, 2), perSequence, String(Int(values[7])),
          ]
        }
        continue
      }
      let rate = cosines / featureSeconds
      let gflops = flops / gramSeconds / 1e9
      rows.append { cosineCeiling, syrkCeiling in
        [
          String(Int(sequences)), fixed(featureSeconds, 2), scientific(rate),
          percent(rate / cosineCeiling), fixed(gramSeconds, 2), fixed(gflops, 1),
          percent(gflops / syrkCeiling), fixed(solveSeconds, 2), fixed(trainSeconds, 2),
          perSequence, String(Int(values[7])),
        ]
      }
    }
    log(.info, "measuring ceilings")
    let cosineCeiling = Ceilings.cosineRate(threadCount: threads)
    let syrkCeiling = Ceilings.syrkRate(
      featureCount: featureCount, rows: 2048, threadCount: threads)
    let ownGram = Ceilings.gramRate(featureCount: featureCount, rows: 2048, threadCount: threads)
    print("Ceilings measured now (\(threads) threads):")
    print("  cosine kernel (FastCosine, SIMD16 + FMA)      \(scientific(cosineCeiling)) cos/s")
    print(
      "  OpenBLAS ssyrk, M=\(featureCount), 2048 rows           \(fixed(syrkCeiling, 1)) GFLOP/s")
    print(
      "  cks block Gram (deterministic), same shape    \(fixed(ownGram, 1)) GFLOP/s "
        + "(\(percent(ownGram / syrkCeiling)) of ssyrk)\n")

    print("Training (each size in a fresh process; 10% held out and scored, then refit on all):")
    print(header.joined(separator: "\t"))
    for row in rows { print(row(cosineCeiling, syrkCeiling).joined(separator: "\t")) }
    Console.flushStandardOutput()
    try benchPrediction(modelPath: modelPath, positives: positives, log: log)
  }

  // MARK: - Child: one training size

  private func runChild(size: Int) throws {
    let all = try SequenceReader().read(path: positivesPath).records.filter { $0.label ?? true }
    let positives = Array(all.prefix((size + 1) / 2)).map(\.sequence)
    let shuffles = DinucleotideShuffle.shuffles(
      of: positives, count: 1, seed: common.seed, threadCount: common.threadCount)
    let sequences = Array((positives + shuffles).prefix(size))
    let labels = (0..<sequences.count).map { $0 < positives.count }
    let groups = (0..<sequences.count).map { $0 < positives.count ? $0 : $0 - positives.count }
    var options = TrainingOptions()
    options.filterWidth = filterWidth
    options.featureCount = featureCount
    options.kernel = kernel
    options.strand = strand
    options.gammas = [gamma]
    options.penalties = [penalty]
    options.seed = common.seed
    options.threadCount = common.threadCount
    let clock = Stopwatch()
    let result = try Trainer(options: options).train(
      sequences: sequences, labels: labels, groups: groups)
    let seconds = clock.seconds
    if let modelOut { try ModelFile.write(result.model, to: modelOut) }
    let p = result.profile
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    print(
      [
        "\(sequences.count)", "\(p.featureSeconds)", "\(p.cosineCount)", "\(p.gramSeconds)",
        "\(p.gramFlops)", "\(p.solveSeconds)", "\(seconds)", "\(usage.ru_maxrss / 1024)",
        "\(p.iterations)",
      ].joined(separator: "\t"))
  }

  // MARK: - Parent helpers

  private func spawnChild(size: Int, modelPath: String?) throws -> [String] {
    var arguments = [
      "bench", "--child-size", String(size), "--positives", positivesPath,
      "--features", String(featureCount), "--filter-width", String(filterWidth),
      "--gamma", "\(gamma)", "--lambda", "\(penalty)", "--threads", String(common.threadCount),
      "--seed", String(common.seed), "--kernel", kernel.rawValue,
      "--strand", strand.rawValue, "-q",
    ]
    if let modelPath { arguments += ["--model-out", modelPath] }
    let output = try runSelf(arguments)
    let fields = output.stdout.split(separator: "\t").map {
      $0.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    guard output.status == 0, fields.count == 9 else {
      throw InputError(path: positivesPath, reason: .other("bench child failed: \(output.stderr)"))
    }
    return fields
  }

  private func benchPrediction(
    modelPath: String, positives: [SequenceRecord], log: LogSink
  ) throws {
    let threads = common.threadCount
    let contents = try ModelFile.read(path: modelPath)
    print("\nPrediction (model from the largest size):")
    let sequences = positives.map(\.sequence)
    var clock = Stopwatch()
    let table: CKSModel.Scorer
    var random: CKSModel?
    switch contents.model {
    case .random(let model):
      table = CKSModel.Scorer(model: model, route: .table, threadCount: threads)
      random = model
    case .exact(let model):
      table = CKSModel.Scorer(exact: model)
    }
    let buildSeconds = clock.seconds
    var scores = [Float]()
    var repeats = 0
    clock = Stopwatch()
    while clock.seconds < 1 || repeats < 2 {
      scores = table.scores(of: sequences, threadCount: threads)
      repeats += 1
    }
    let tableRate = Double(sequences.count * repeats) / clock.seconds
    guard let random else {
      print("  table route, in memory:   \(scientific(tableRate)) sequences/s")
      try endToEnd(modelPath: modelPath, count: positives.count)
      return
    }
    let direct = CKSModel.Scorer(model: random, route: .direct, threadCount: threads)
    let sample = Array(sequences.prefix(2000))
    clock = Stopwatch()
    let directScores = direct.scores(of: sample, threadCount: threads)
    let directRate = Double(sample.count) / clock.seconds
    var maxDifference: Float = 0
    for (a, b) in zip(directScores, scores) { maxDifference = max(maxDifference, abs(a - b)) }
    let largestScore = directScores.map(abs).max() ?? 0
    print(
      "  table route, in memory:   \(scientific(tableRate)) sequences/s "
        + "(4^\(random.filterWidth)-entry table built in \(fixed(buildSeconds, 2)) s)")
    print(
      "  direct route, in memory:  \(scientific(directRate)) sequences/s "
        + "(table route is \(fixed(tableRate / directRate, 0))x faster)")
    print(
      "  max |table - direct| over \(sample.count) sequences: \(scientific(Double(maxDifference))) "
        + "(largest |score| \(fixed(Double(largestScore), 3)))")
    if let testPath {
      let test = try SequenceReader().read(path: testPath).records
      let labels = test.map { $0.label ?? false }
      let testSequences = test.map(\.sequence)
      let tableAUC = try ROC.auc(
        scores: table.scores(of: testSequences, threadCount: threads), labels: labels)
      let directAUC = try ROC.auc(
        scores: direct.scores(of: testSequences, threadCount: threads), labels: labels)
      print(
        "  test AUC on \(baseName(testPath)): table \(formatAUC(tableAUC)), direct \(formatAUC(directAUC))"
      )
    }
    try endToEnd(modelPath: modelPath, count: positives.count)
  }

  /// Times `cks predict` on 10 copies of the positives file.
  private func endToEnd(modelPath: String, count: Int) throws {
    let threads = common.threadCount
    let output = FileManager.default.temporaryDirectory.appendingPathComponent(
      "cks-bench-\(getpid()).tsv"
    ).path
    defer { try? FileManager.default.removeItem(atPath: output) }
    let copies = 10
    let clock = Stopwatch()
    let run = try runSelf(
      ["predict", "--model", modelPath, "-o", output, "--threads", String(threads)]
        + [String](repeating: positivesPath, count: copies))
    let seconds = clock.seconds
    guard run.status == 0 else {
      throw InputError(path: positivesPath, reason: .other("cks predict failed: \(run.stderr)"))
    }
    let rows = copies * count
    print(
      "  end to end (cks predict, \(copies) x \(baseName(positivesPath)) -> TSV file): "
        + "\(rows) sequences in \(fixed(seconds, 2)) s = \(scientific(Double(rows) / seconds)) sequences/s"
    )
  }

  private func runSelf(_ arguments: [String]) throws -> (
    status: Int32, stdout: String, stderr: String
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (
      process.terminationStatus, String(decoding: stdout, as: UTF8.self),
      String(decoding: stderr, as: UTF8.self)
    )
  }
}

func fixed(_ value: Double, _ decimals: Int) -> String {
  String(format: "%.\(decimals)f", value)
}

func scientific(_ value: Double) -> String {
  String(format: "%.3g", value)
}

func percent(_ ratio: Double) -> String {
  String(format: "%.0f%%", ratio * 100)
}
