import Foundation
import Testing

/// Trains and evaluates on the real GABPA set shipped in Data/ (small M to stay quick).
@Suite(.serialized) struct IntegrationTests {
  let trainFile = dataFile("GABPA_GM12878_GABP_HudsonAlpha_AC.seq.gz")
  let testFile = dataFile("GABPA_GM12878_GABP_HudsonAlpha_B.seq.gz")

  func train(_ model: String, threads: Int, extra: [String] = []) throws -> CommandResult {
    try cks(
      [
        "train", "-p", trainFile, "-o", model, "--kernel", "random", "-m", "1024", "--gamma",
        "0.5,1", "--lambda",
        "100,1000",
        "--threads", String(threads), "-q",
      ] + extra)
  }

  @Test func trainEvaluatePredictOnRealData() throws {
    let folder = try temporaryFolder()
    let model = folder.appendingPathComponent("gabpa.model").path
    let trained = try train(model, threads: 2)
    #expect(trained.status == 0, "stderr: \(trained.stderr)")
    let grid = trained.stdout.split(separator: "\n")
    #expect(grid.first == "gamma\tlambda\ttop_weight\theldout_auc\tmean_auc\tchosen")
    #expect(grid.count == 5)
    #expect(grid.filter { $0.hasSuffix("*") }.count == 1)
    let header = String(
      decoding: try #require(FileManager.default.contents(atPath: model)).prefix(1024),
      as: UTF8.self)
    #expect(header.contains("\nholdout-fraction\t0.1\n") && !header.contains("\ntop-positives"))

    let svg = folder.appendingPathComponent("roc.svg").path
    let evaluated = try cks(["evaluate", "--model", model, testFile, "--roc", svg])
    #expect(evaluated.status == 0, "stderr: \(evaluated.stderr)")
    let rows = evaluated.stdout.split(separator: "\n").map { $0.split(separator: "\t") }
    #expect(rows.first == ["test", "positives", "negatives", "auc"])
    #expect(rows[1][1] == "500" && rows[1][2] == "500")
    let auc = Double(rows[1][3]) ?? 0
    #expect(auc > 0.93, "GABPA test AUC with M=1024: \(auc)")
    let picture = try String(contentsOfFile: svg, encoding: .utf8)
    #expect(picture.contains("<polyline") && picture.contains("AUC \(rows[1][3])"))

    let predicted = try cks(["predict", "--model", model, testFile])
    #expect(predicted.status == 0)
    let lines = predicted.stdout.split(separator: "\n")
    #expect(lines.first == "id\tscore")
    #expect(lines.count == 1001)
    #expect(lines[1].hasPrefix("seq_"))

    // The same seed twice gives the same bytes, for any thread count.
    let again = folder.appendingPathComponent("again.model").path
    #expect(try train(again, threads: 1).status == 0)
    #expect(
      FileManager.default.contents(atPath: model) == FileManager.default.contents(atPath: again))
    let otherSeed = folder.appendingPathComponent("seed2.model").path
    #expect(try train(otherSeed, threads: 2, extra: ["--seed", "2"]).status == 0)
    #expect(
      FileManager.default.contents(atPath: model) != FileManager.default.contents(atPath: otherSeed)
    )
  }

  @Test func exactKernelOnRealData() throws {
    let folder = try temporaryFolder()
    let model = folder.appendingPathComponent("exact.model").path
    let trained = try cks([
      "train", "-p", trainFile, "-o", model, "--kernel", "exact", "--gamma", "1", "--lambda",
      "100,1000", "-q",
    ])
    #expect(trained.status == 0, "stderr: \(trained.stderr)")
    let evaluated = try cks(["evaluate", "--model", model, testFile])
    let auc = Double(evaluated.stdout.split(separator: "\n")[1].split(separator: "\t")[3]) ?? 0
    #expect(auc > 0.97, "GABPA exact-kernel test AUC: \(auc)")
    // The summary names the hold-out that was drawn: three folds of the first 500 positives.
    let bytes = try #require(FileManager.default.contents(atPath: model))
    let header = String(decoding: bytes.prefix(1024), as: UTF8.self)
    for line in [
      "holdout-from\t500", "holdout-folds\t3", "top-positives\t2000", "top-weight-grid\t3,only",
    ] {
      #expect(header.contains("\n\(line)\n"), "\(line) missing")
    }
    #expect(!header.contains("\nholdout-fraction\t"))
    let grid = trained.stdout.split(separator: "\n")
    #expect(grid.count == 5 && grid.filter { $0.hasSuffix("*") }.count == 1)
    let means = grid.dropFirst().map {
      $0.split(separator: "\t", omittingEmptySubsequences: false)[4]
    }
    #expect(means.filter { !$0.isEmpty }.count == 2)
    // Same bytes for every thread count, model and scores alike.
    let scores = try cks(["predict", "--model", model, testFile, "--threads", "2"]).stdout
    for threads in ["1", "3"] {
      let again = folder.appendingPathComponent("again\(threads).model").path
      #expect(
        try cks([
          "train", "-p", trainFile, "-o", again, "--kernel", "exact", "--gamma", "1",
          "--lambda", "100,1000", "-q", "--threads", threads,
        ]).status == 0)
      #expect(
        FileManager.default.contents(atPath: model) == FileManager.default.contents(atPath: again))
      #expect(
        try cks(["predict", "--model", again, testFile, "--threads", threads]).stdout == scores)
    }
  }

  @Test func evaluatesPositiveAndNegativeFilePairs() throws {
    let folder = try temporaryFolder()
    let model = folder.appendingPathComponent("m.model").path
    #expect(
      try cks(["train", "-p", trainFile, "-o", model, "--gamma", "1", "--lambda", "1000", "-q"])
        .status == 0)
    let negatives = folder.appendingPathComponent("negatives.fa").path
    #expect(try cks(["shuffle", testFile, "-o", negatives, "--seed", "3"]).status == 0)
    let result = try cks([
      "evaluate", "--model", model, "--positives", testFile, "--negatives", negatives,
    ])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    let row = result.stdout.split(separator: "\n")[1].split(separator: "\t")
    #expect(row[0] == "GABPA_GM12878_GABP_HudsonAlpha_B.seq.gz" && row[1] == "1000")
    #expect(row[2] == "1000")
    // The positives file's own shuffled rows are in the "positives" here, so the AUC is lower
    // than on the real labels, but the peaks still rank above fresh shuffles.
    #expect((Double(row[3]) ?? 0) > 0.6)
  }

  @Test func trainsFromBEDAndGenome() throws {
    let folder = try temporaryFolder()
    let genome = folder.appendingPathComponent("lambda.fa").path
    try FileManager.default.copyItem(atPath: dataFile("lambda_virus.fa"), toPath: genome)
    let model = folder.appendingPathComponent("bed.model").path
    let result = try cks([
      "train", "-p", dataFile("lambda_peaks.bed"), "--genome", genome, "-o", model,
      "--kernel", "random", "-m", "64", "--gamma", "1", "--lambda", "10", "--holdout", "0",
      "--shuffles", "3",
    ])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    #expect(result.stderr.contains("read 6 positives and 18 negatives"))
    let scores = try cks([
      "predict", "--model", model, dataFile("lambda_peaks.bed"), "--genome", genome,
    ])
    #expect(
      scores.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: "\t")[0] }
        == ["region1", "region2", "lambda:12000-12101", "region4", "lambda:30105-30206", "region6"])
  }
}
