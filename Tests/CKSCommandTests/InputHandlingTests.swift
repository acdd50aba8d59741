import Foundation
import Testing

/// One row of the README's input-handling table: an input, the command run on it, and what cks
/// must answer. `{dir}` in arguments is the case's folder, `{model}` a small trained model.
struct InputCase: CustomStringConvertible, Sendable {
  var name: String
  var files: [String: [UInt8]] = [:]
  var arguments: [String]
  var status: Int32
  /// Text stderr must contain (the exact message, from the file name on); also in the README.
  var message: String
  /// Files the command writes (must exist after success, must not after failure).
  var outputs: [String] = []
  /// Extra check on stdout after success.
  var stdoutLines: Int?

  var description: String { name }
}

/// Deterministic ACGT text.
func randomBases(_ count: Int, seed: UInt64) -> String {
  var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
  var bytes = [UInt8](repeating: 0, count: count)
  let letters = Array("ACGT".utf8)
  for i in 0..<count {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    bytes[i] = letters[Int(state >> 62)]
  }
  return String(decoding: bytes, as: UTF8.self)
}

func deepBind(_ rows: [String], header: String = "FoldID\tEventID\tseq\tBound") -> [UInt8] {
  Array(((header.isEmpty ? [] : [header]) + rows).map { $0 + "\n" }.joined().utf8)
}

/// `count` DeepBind rows `A sK <seq> 1` with 60-base random sequences.
func boundRows(_ count: Int, seed: UInt64 = 1) -> [String] {
  (0..<count).map { "A\ts\($0)\t\(randomBases(60, seed: seed + UInt64($0)))\t1" }
}

func fasta(_ records: [(String, String)], lineEnding: String = "\n") -> [UInt8] {
  Array(records.map { ">\($0.0)\(lineEnding)\($0.1)\(lineEnding)" }.joined().utf8)
}

func fixtureBytes(_ name: String) -> [UInt8] {
  Array(FileManager.default.contents(atPath: fixture(name)) ?? Data())
}

/// CRC-32 (IEEE, reflected), an independent oracle for the model checksum.
func crc32(_ bytes: [UInt8]) -> UInt32 {
  var crc: UInt32 = 0xFFFF_FFFF
  for byte in bytes {
    crc ^= UInt32(byte)
    for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
  }
  return ~crc
}

/// Replaces header lines of a model and re-signs it with a valid checksum.
func resignedModel(_ bytes: [UInt8], replacing: [(String, String)]) -> [UInt8] {
  let blank = Array("\n\n".utf8)
  let end = (0..<(bytes.count - 1)).first { Array(bytes[$0..<($0 + 2)]) == blank }!
  var header = String(decoding: bytes[0...end], as: UTF8.self)
  let payload = Array(bytes[(end + 2)...])
  let lines = header.split(separator: "\n").filter { !$0.hasPrefix("checksum\t") }
  header = lines.joined(separator: "\n") + "\n"
  for (old, new) in replacing { header = header.replacingOccurrences(of: old, with: new) }
  let crc = crc32(Array(header.utf8) + payload)
  let hex = String(crc, radix: 16)
  let signed = header + "checksum\tcrc32:\(String(repeating: "0", count: 8 - hex.count) + hex)\n\n"
  return Array(signed.utf8) + payload
}

enum InputCases {
  static let quick = ["--filter-width", "8", "--gamma", "1", "--lambda", "10", "--holdout", "0"]

  static func train(_ file: String, _ extra: [String] = []) -> [String] {
    ["train", "-p", "{dir}/\(file)", "-o", "{dir}/m.model"] + quick + extra
  }

  static let all: [InputCase] = [
    // DeepBind and FASTA text
    InputCase(
      name: "empty file", files: ["in.seq": []], arguments: train("in.seq"), status: 1,
      message: "in.seq: file is empty (no records)"),
    InputCase(
      name: "missing DeepBind header", files: ["in.seq": deepBind(boundRows(3), header: "")],
      arguments: train("in.seq"), status: 1,
      message:
        "in.seq:1: cannot tell the format from the first line (not DeepBind, FASTA or BED); use --format"
    ),
    InputCase(
      name: "wrong DeepBind header",
      files: ["in.seq": deepBind(boundRows(3), header: "FoldID\tEventID\tsequence\tBound")],
      arguments: train("in.seq"), status: 1,
      message: "expected 'FoldID\\tEventID\\tseq\\tBound'"),
    InputCase(
      name: "wrong column count", files: ["in.seq": deepBind(boundRows(2) + ["A\ts9\tACGT"])],
      arguments: train("in.seq"), status: 1,
      message: "in.seq:4: record 's9': expected 4 columns, found 3"),
    InputCase(
      name: "Bound not 0 or 1", files: ["in.seq": deepBind(boundRows(2) + ["A\ts9\tACGT\t2"])],
      arguments: train("in.seq"), status: 1,
      message: "in.seq:4: record 's9': Bound must be 0 or 1, found '2'"),
    InputCase(
      name: "character that is not a base or IUPAC code",
      files: ["in.seq": deepBind(boundRows(2) + ["A\ts9\tACGTJ\t1"])],
      arguments: train("in.seq"), status: 1,
      message:
        "in.seq:4: record 's9': invalid base 'J' at column 10 (allowed: ACGT, IUPAC codes, N; any case)"
    ),
    InputCase(
      name: "lowercase (soft-masked) bases",
      files: [
        "in.fa": fasta((0..<20).map { ("r\($0)", randomBases(50, seed: UInt64($0)).lowercased()) })
      ],
      arguments: train("in.fa"), status: 0, message: "", outputs: ["m.model"]),
    InputCase(
      name: "N runs and IUPAC codes",
      files: [
        "in.fa": fasta(
          (0..<20).map {
            (
              "r\($0)",
              randomBases(30, seed: UInt64($0)) + "NNNNNNNNNNRYKM" + randomBases(20, seed: 99)
            )
          })
      ],
      arguments: train("in.fa"), status: 0, message: "", outputs: ["m.model"]),
    InputCase(
      name: "CRLF line endings",
      files: [
        "in.fa": fasta(
          (0..<20).map { ("r\($0)", randomBases(50, seed: UInt64($0))) }, lineEnding: "\r\n")
      ],
      arguments: train("in.fa"), status: 0, message: "", outputs: ["m.model"]),
    InputCase(
      name: "sequences shorter than n",
      files: [
        "in.fa": fasta(
          [("tiny", "ACG")] + (0..<20).map { ("r\($0)", randomBases(50, seed: UInt64($0))) })
      ],
      arguments: train("in.fa"), status: 0,
      message: "some sequences are shorter than the filter width 8 (shortest 3)",
      outputs: ["m.model"]),
    InputCase(
      name: "mixed lengths",
      files: [
        "in.fa": fasta((0..<20).map { ("r\($0)", randomBases(20 + 13 * $0, seed: UInt64($0))) })
      ],
      arguments: train("in.fa"), status: 0, message: "", outputs: ["m.model"]),
    InputCase(
      name: "very long sequence (1 Mbp), train",
      files: [
        "in.fa": fasta(
          [("chr", randomBases(1_000_000, seed: 5))]
            + (0..<10).map { ("r\($0)", randomBases(60, seed: UInt64($0))) })
      ],
      arguments: train("in.fa"), status: 0,
      message: "", outputs: ["m.model"]),
    InputCase(
      name: "very long sequence (1 Mbp), predict",
      files: ["in.fa": fasta([("chr", randomBases(1_000_000, seed: 5)), ("short", "ACGTACGTAA")])],
      arguments: ["predict", "--model", "{model}", "{dir}/in.fa", "-o", "{dir}/s.tsv"], status: 0,
      message: "", outputs: ["s.tsv"], stdoutLines: nil),
    InputCase(
      name: "duplicate IDs",
      files: [
        "in.fa": fasta([("same", randomBases(40, seed: 1)), ("same", randomBases(40, seed: 2))])
      ],
      arguments: ["predict", "--model", "{model}", "{dir}/in.fa"], status: 0, message: "",
      stdoutLines: 3),
    InputCase(
      name: "gzip truncated", files: ["in.seq.gz": fixtureBytes("truncated.seq.gz")],
      arguments: train("in.seq.gz"), status: 1,
      message: "read failed: truncated or corrupt compressed data"),
    InputCase(
      name: "gzip corrupt", files: ["in.seq.gz": corruptedGzip()],
      arguments: train("in.seq.gz"), status: 1,
      message:
        "read failed: corrupt compressed data (the stream fails its check further on; its bytes stop parsing at this line)"
    ),
    // BED and genome
    InputCase(
      name: "BED with header and track lines",
      files: [
        "in.bed": Array(
          "browser position chrA:1-100\ntrack name=peaks\n# comment\nchrA\t100\t200\nchrA\t150\t250\n"
            .utf8), "genome.fa": fixtureBytes("genome.fa"),
      ],
      arguments: [
        "shuffle", "{dir}/in.bed", "--genome", "{dir}/genome.fa", "--window", "21", "-o",
        "{dir}/s.fa",
      ], status: 0, message: "", outputs: ["s.fa", "genome.fa.fai"]),
    InputCase(
      name: "BED with fewer than 3 columns",
      files: ["in.bed": fixtureBytes("short_line.bed"), "genome.fa": fixtureBytes("genome.fa")],
      arguments: bedShuffle, status: 1, message: "in.bed:2: expected at least 3 columns, found 2"),
    InputCase(
      name: "BED start >= end",
      files: [
        "in.bed": fixtureBytes("start_after_end.bed"), "genome.fa": fixtureBytes("genome.fa"),
      ],
      arguments: bedShuffle, status: 1,
      message: "in.bed:2: record 'chrA:300-200': start 300 is not before end 200"),
    InputCase(
      name: "chromosome missing from the genome",
      files: [
        "in.bed": fixtureBytes("unknown_chromosome.bed"), "genome.fa": fixtureBytes("genome.fa"),
      ],
      arguments: bedShuffle, status: 1,
      message: "in.bed:2: record 'chrZ:1-50': chromosome 'chrZ' is not in the genome"),
    InputCase(
      name: "interval off the chromosome end",
      files: ["in.bed": fixtureBytes("off_end.bed"), "genome.fa": fixtureBytes("genome.fa")],
      arguments: bedShuffle, status: 1,
      message:
        "in.bed:2: record 'chrB:100-120': window chrB:100-121 runs off the chromosome (length 120)"),
    InputCase(
      name: "plain-gzip genome (cannot be indexed)",
      files: ["in.bed": fixtureBytes("peaks.narrowPeak"), "genome.fa": corruptedGzip()],
      arguments: bedShuffle, status: 1,
      message: "genome.fa: cannot read or index the genome FASTA"),
    // Evaluation
    InputCase(
      name: "test set with only one class",
      files: ["test.seq": deepBind(boundRows(5))],
      arguments: ["evaluate", "--model", "{model}", "{dir}/test.seq", "--roc", "{dir}/roc.svg"],
      status: 1,
      message: "test.seq: ROC AUC needs both classes; the test set has 5 positives and 0 negatives"),
    // Models
    InputCase(
      name: "model file truncated",
      files: ["bad.model": Array("cks-model\t2\nkernel\texact\n".utf8), "in.fa": oneRecord],
      arguments: predictWith("bad.model"), status: 1,
      message: "bad.model: truncated model file: header has no end (blank line)"),
    InputCase(
      name: "model file from a newer format version",
      files: ["bad.model": Array("cks-model\t9\n\n".utf8), "in.fa": oneRecord],
      arguments: predictWith("bad.model"),
      status: 1, message: "bad.model:1: model format version 9 is newer than this cks reads (2)"),
    InputCase(
      name: "unwritable output", files: ["in.fa": fasta([("a", "ACGTACGTACGT")])],
      arguments: ["predict", "--model", "{model}", "{dir}/in.fa", "-o", "{dir}/no/such/s.tsv"],
      status: 1, message: "s.tsv: cannot write"),
    // Options
    InputCase(
      name: "M = 0", files: ["in.seq": deepBind(boundRows(3))],
      arguments: train("in.seq", ["--kernel", "random", "--features", "0"]), status: 64,
      message: "--features must be an integer in 1...65536, got '0'"),
    InputCase(
      name: "gamma <= 0", files: ["in.seq": deepBind(boundRows(3))],
      arguments: ["train", "-p", "{dir}/in.seq", "-o", "{dir}/m.model", "--gamma", "0"],
      status: 64, message: "--gamma must be a comma-separated list of numbers > 0, got '0'"),
    InputCase(
      name: "holdout >= 1", files: ["in.seq": deepBind(boundRows(3))],
      arguments: ["train", "-p", "{dir}/in.seq", "-o", "{dir}/m.model", "--holdout", "1"],
      status: 64, message: "--holdout must be in [0, 1), got '1'"),
    InputCase(
      name: "filter width out of range", files: ["in.seq": deepBind(boundRows(3))],
      arguments: ["train", "-p", "{dir}/in.seq", "-o", "{dir}/m.model", "--filter-width", "13"],
      status: 64,
      message: "--filter-width must be an integer in 1...12, got '13'"),
  ]

  static let oneRecord = fasta([("a", "ACGTACGTACGT")])

  static let bedShuffle = [
    "shuffle", "{dir}/in.bed", "--genome", "{dir}/genome.fa", "--window", "21", "-o", "{dir}/s.fa",
  ]

  static func predictWith(_ model: String) -> [String] {
    ["predict", "--model", "{dir}/\(model)", "{dir}/in.fa", "-o", "{dir}/s.tsv"]
  }

  /// The shipped GABPA test set with 64 bytes flipped mid-stream.
  static func corruptedGzip() -> [UInt8] {
    var bytes = Array(
      FileManager.default.contents(atPath: dataFile("GABPA_GM12878_GABP_HudsonAlpha_B.seq.gz"))
        ?? Data())
    let middle = bytes.count / 2
    for i in middle..<(middle + 64) { bytes[i] ^= 0x5A }
    return bytes
  }
}

@Suite(.serialized) struct InputHandlingTests {
  /// A small exact model trained once for the cases that need one.
  static let model: String = {
    let folder = try! temporaryFolder()
    let path = folder.appendingPathComponent("small.model").path
    let input = folder.appendingPathComponent("train.fa").path
    _ = FileManager.default.createFile(
      atPath: input,
      contents: Data(fasta((0..<30).map { ("r\($0)", randomBases(50, seed: UInt64($0))) })))
    let result = try! cks(["train", "-p", input, "-o", path] + InputCases.quick)
    precondition(result.status == 0, result.stderr)
    return path
  }()

  @Test(arguments: InputCases.all)
  func answersClearlyAndLeavesNoOutputOnFailure(_ inputCase: InputCase) throws {
    let folder = try temporaryFolder()
    for (name, bytes) in inputCase.files {
      _ = FileManager.default.createFile(
        atPath: folder.appendingPathComponent(name).path, contents: Data(bytes))
    }
    let arguments = inputCase.arguments.map {
      $0.replacingOccurrences(of: "{dir}", with: folder.path)
        .replacingOccurrences(of: "{model}", with: Self.model)
    }
    let result = try cks(arguments)
    #expect(result.status == inputCase.status, "stderr: \(result.stderr)")
    if !inputCase.message.isEmpty {
      #expect(result.stderr.contains(inputCase.message), "stderr: \(result.stderr)")
    }
    let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
    if inputCase.status == 0 {
      for output in inputCase.outputs { #expect(left.contains(output), "\(output) missing") }
    } else {
      // Nothing but the inputs (and a genome's index): no output, no temporary file.
      #expect(
        left.subtracting(["genome.fa.fai"]) == Set(inputCase.files.keys), "left behind: \(left)")
    }
    if let lines = inputCase.stdoutLines {
      #expect(result.stdout.split(separator: "\n").count == lines, "stdout: \(result.stdout)")
    }
  }

  /// Every case is a row of the README's table, with its exact message.
  @Test func everyCaseIsInTheREADME() throws {
    let readme = try String(
      contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
    for inputCase in InputCases.all {
      #expect(readme.contains("| \(inputCase.name) |"), "README lacks the row '\(inputCase.name)'")
      if !inputCase.message.isEmpty {
        #expect(readme.contains(inputCase.message), "README lacks: \(inputCase.message)")
      }
    }
  }

  @Test func modelWithChecksumErrorOrMismatchedWidth() throws {
    let folder = try temporaryFolder()
    let good = Array(FileManager.default.contents(atPath: Self.model) ?? Data())
    let input = folder.appendingPathComponent("in.fa").path
    _ = FileManager.default.createFile(atPath: input, contents: Data(fasta([("a", "ACGTACGTAC")])))
    // One flipped payload byte: the checksum catches it.
    var flipped = good
    flipped[flipped.count - 5] ^= 0x01
    // A valid checksum over a header whose n does not fit the table.
    let mismatched = resignedModel(good, replacing: [("filter-width\t8", "filter-width\t6")])
    for (bytes, message) in [
      (flipped, "bad.model: checksum mismatch"),
      (mismatched, "bad.model: table has 65536 entries; n=6 needs 4096"),
      (
        resignedModel(good, replacing: [("filter-width\t8", "filter-width\t20")]),
        "bad.model: an n-mer table needs n <= 12, found n=20"
      ),
    ] {
      let model = folder.appendingPathComponent("bad.model").path
      _ = FileManager.default.createFile(atPath: model, contents: Data(bytes))
      let output = folder.appendingPathComponent("s.tsv").path
      let result = try cks(["predict", "--model", model, input, "-o", output])
      #expect(result.status == 1)
      #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
      #expect(!FileManager.default.fileExists(atPath: output))
    }
  }

  /// Finite table values whose sum overflows: predict refuses to write an infinite score.
  @Test func infiniteScoreIsRefused() throws {
    let folder = try temporaryFolder()
    var payload = [UInt8]()
    for _ in 0..<4 {
      let bits = Float(3e38).bitPattern
      for k in 0..<4 { payload.append(UInt8(truncatingIfNeeded: bits >> (8 * k))) }
    }
    let header =
      "cks-model\t2\nkernel\texact\nstrand\tforward\nfilter-width\t1\ngamma\t1.0\n"
      + "lambda\t1.0\nalphabet\tACGT\nintercept\t0.0\ntable\tfloat32-le\t4\n"
    let crc = String(crc32(Array(header.utf8) + payload), radix: 16)
    let model = folder.appendingPathComponent("huge.model").path
    let signed =
      header + "checksum\tcrc32:\(String(repeating: "0", count: 8 - crc.count) + crc)\n\n"
    _ = FileManager.default.createFile(atPath: model, contents: Data(Array(signed.utf8) + payload))
    let input = folder.appendingPathComponent("in.fa").path
    _ = FileManager.default.createFile(atPath: input, contents: Data(fasta([("a", "ACGTACGT")])))
    let output = folder.appendingPathComponent("s.tsv").path
    let result = try cks(["predict", "--model", model, input, "-o", output])
    #expect(result.status == 1)
    #expect(
      result.stderr.contains("in.fa: record 'a': score is inf: the model's table values overflow"),
      "stderr: \(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: output))
  }

  /// A genome whose .fai cannot be written beside it (the .fai path is a dangling link into a
  /// missing folder: unwritable even for root) is indexed in a temporary folder, with a warning.
  @Test func genomeInAnUnwritablePlaceIsIndexedElsewhere() throws {
    let folder = try temporaryFolder()
    let genome = folder.appendingPathComponent("genome.fa").path
    try FileManager.default.copyItem(atPath: fixture("genome.fa"), toPath: genome)
    try FileManager.default.createSymbolicLink(
      atPath: genome + ".fai", withDestinationPath: "/nonexistent-cks-folder/genome.fa.fai")
    let output = folder.appendingPathComponent("s.fa").path
    let result = try cks([
      "shuffle", fixture("peaks.narrowPeak"), "--genome", genome, "--window", "21", "-o", output,
    ])
    #expect(result.status == 0, "stderr: \(result.stderr)")
    #expect(result.stderr.contains("indexed it in a temporary folder"), "stderr: \(result.stderr)")
    #expect(FileManager.default.fileExists(atPath: output))
  }

  /// SIGINT or SIGTERM while training: exit 128 + signal, a message, and no model or temporary
  /// file (even when the launcher blocks signals, as Foundation's Process does).
  @Test(arguments: [SIGINT, SIGTERM])
  func interruptedTrainingLeavesNothing(signal: Int32) throws {
    let folder = try temporaryFolder()
    let model = folder.appendingPathComponent("m.model").path
    let process = Process()
    process.executableURL = cksBinary
    process.arguments = [
      "train", "-p", dataFile("FOXA1_HepG2_FOXA1_(SC-101058)_HudsonAlpha_AC.seq.gz"), "-o", model,
    ]
    let err = Pipe()
    process.standardError = err
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    Thread.sleep(forTimeInterval: 1.5)
    kill(process.processIdentifier, signal)
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 128 + signal)
    #expect(stderr.contains("interrupted"), "stderr: \(stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
  }
}
