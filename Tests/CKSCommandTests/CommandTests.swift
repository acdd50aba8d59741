import Foundation
import Testing

/// The package root (three levels above this file).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()

/// The built `cks`, next to the test bundle.
let cksBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
  .deletingLastPathComponent().appendingPathComponent("cks")

func dataFile(_ name: String) -> String { packageRoot.appendingPathComponent("Data/\(name)").path }

func fixture(_ name: String) -> String {
  packageRoot.appendingPathComponent("Tests/CKSIOTests/Fixtures/\(name)").path
}

struct CommandResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// Runs `cks` with `arguments` (optionally feeding `input` on stdin).
func cks(_ arguments: [String], input: String? = nil) throws -> CommandResult {
  let process = Process()
  process.executableURL = cksBinary
  process.arguments = arguments
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  let inPipe = Pipe()
  process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
  try process.run()
  if let input {
    inPipe.fileHandleForWriting.write(Data(input.utf8))
    try inPipe.fileHandleForWriting.close()
  }
  // Read both pipes concurrently-safe: outputs here are small except stdout, read first.
  let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
  let stderrData = err.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return CommandResult(
    status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
    stderr: String(decoding: stderrData, as: UTF8.self))
}

func temporaryFolder() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent(
    "cks-cmd-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

@Suite struct HelpTests {
  static let commands = ["train", "predict", "evaluate", "shuffle", "bench"]

  @Test func rootHelpListsCommands() throws {
    let result = try cks(["--help"])
    #expect(result.status == 0)
    #expect(result.stderr.isEmpty)
    for command in Self.commands { #expect(result.stdout.contains("  \(command) ")) }
  }

  /// Each `--help` matches its golden file and appears verbatim in the README.
  @Test(arguments: commands)
  func helpIsGoldenAndInTheREADME(command: String) throws {
    let result = try cks([command, "--help"])
    #expect(result.status == 0)
    let golden = try String(
      contentsOf: packageRoot.appendingPathComponent(
        "Tests/CKSCommandTests/Golden/\(command)-help.txt"),
      encoding: .utf8)
    #expect(result.stdout == golden)
    let readme = try String(
      contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
    #expect(
      readme.contains(result.stdout), "README.md does not show `cks \(command) --help` verbatim")
    #expect(try cks(["help", command]).stdout == result.stdout)
  }
}

@Suite struct UsageErrorTests {
  @Test(arguments: [
    (["train", "--positives"], "option '--positives' needs a value"),
    (["train", "-o", "m"], "missing --positives FILE"),
    (["train", "--bogus", "1"], "unknown option '--bogus'"),
    (["train", "-p", "x", "-p", "y", "-o", "m"], "option '-p' given more than once"),
    (
      ["train", "-p", "x", "-o", "m", "--gamma", "0,1"],
      "--gamma must be a comma-separated list of numbers > 0"
    ),
    (["train", "-p", "x", "-o", "m", "--holdout", "1"], "--holdout must be in [0, 1)"),
    (
      ["train", "-p", "x", "-o", "m", "--kernel", "random", "--features", "0"],
      "--features must be an integer in 1...65536"
    ),
    (
      ["train", "-p", "x", "-o", "m", "--kernel", "exact", "--features", "64"], "--features applies"
    ),
    (["train", "-p", "x", "-o", "m", "--kernel", "magic"], "--kernel must be exact or random"),
    (["train", "-p", "x", "-o", "m", "--strand", "up"], "--strand must be forward or both"),
    (["train", "-p", "x", "-o", "m", "--holdout", "0"], "--holdout 0 needs a single --gamma"),
    (
      ["train", "-p", "x", "-o", "m", "--kernel", "random", "--top", "10", "--top-weight", "2"],
      "--top applies to --kernel exact only"
    ),
    (
      ["train", "-p", "x", "-o", "m", "--top-weight", "0.5"],
      "--top-weight must be a comma-separated list of numbers >= 1 or 'only', got '0.5'"
    ),
    (
      ["train", "-p", "x", "-o", "m", "--top-weight", "3,only,3"],
      "--top-weight lists a value twice"
    ),
    (
      [
        "train", "-p", "x", "-o", "m", "--holdout", "0", "--gamma", "1", "--lambda", "1",
        "--top-weight", "3,only",
      ], "--holdout 0 needs a single --gamma"
    ),
    (["train", "-p", "x", "-o", "m", "--kernel", "random", "--folds", "2"], "--folds applies to"),
    (["train", "-p", "x", "-o", "m", "--folds", "1"], "--folds must be"),
    (["predict", "--model", "m"], "missing INPUT file"),
    (["evaluate", "--model", "m", "--positives", "a"], "must come in pairs"),
    (["frobnicate"], "unknown command 'frobnicate'"),
  ])
  func exitsWith64AndNamesTheProblem(arguments: [String], message: String) throws {
    let result = try cks(arguments)
    #expect(result.status == 64)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
    #expect(result.stderr.contains("see 'cks help"))
  }

  @Test func missingInputFileIsAUsageError() throws {
    let result = try cks(["train", "-p", "/no/such/file.seq", "-o", "m"])
    #expect(result.status == 64)
    #expect(result.stderr.contains("/no/such/file.seq"))
  }
}

@Suite struct BadInputTests {
  /// Runs `train` on a bad positives file: exit 1, a located message, and no model left behind.
  @Test(arguments: [
    ("bad_header.seq", "bad_header.seq:1: bad header"),
    ("bad_base.seq", "bad_base.seq:3: record 's2': invalid base 'J' at column 10"),
    ("bad_label.seq", "bad_label.seq:3: record 's2': Bound must be 0 or 1"),
    ("truncated.seq.gz", "truncated.seq.gz:"),
    ("empty.fa", "empty.fa: file is empty"),
  ])
  func trainFailsCleanly(file: String, message: String) throws {
    let folder = try temporaryFolder()
    let model = folder.appendingPathComponent("m.model").path
    let result = try cks([
      "train", "-p", fixture(file), "-o", model, "--gamma", "1", "--lambda", "1",
    ])
    #expect(result.status == 1)
    #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
  }

  @Test func bedOffTheChromosomeEnd() throws {
    let folder = try temporaryFolder()
    let genome = folder.appendingPathComponent("genome.fa").path
    try FileManager.default.copyItem(atPath: fixture("genome.fa"), toPath: genome)
    let out = folder.appendingPathComponent("shuffled.fa").path
    let result = try cks([
      "shuffle", fixture("off_end.bed"), "--genome", genome, "--window", "21", "-o", out,
    ])
    #expect(result.status == 1)
    #expect(
      result.stderr.contains(
        "off_end.bed:2: record 'chrB:100-120': window chrB:100-121 runs off the chromosome (length 120)"
      ))
    #expect(!FileManager.default.fileExists(atPath: out))
  }

  @Test func corruptedModel() throws {
    let folder = try temporaryFolder()
    let model = folder.appendingPathComponent("m.model").path
    try Data("cks-model\t1\nkernel\trandom\n".utf8).write(to: URL(fileURLWithPath: model))
    let result = try cks(["predict", "--model", model, fixture("good.fa")])
    #expect(result.status == 1)
    #expect(result.stderr.contains("m.model: truncated model file"))
  }
}

@Suite struct ShuffleCommandTests {
  @Test func writesSeededFASTAFromStdin() throws {
    let input = ">a\nACGTTGCAAGGCTTAACG\n>b\nNNACGTAC\n"
    let first = try cks(["shuffle", "-", "--shuffles", "2", "--seed", "5"], input: input)
    #expect(first.status == 0)
    let lines = first.stdout.split(separator: "\n")
    #expect(lines.count == 8)
    #expect(lines[0] == ">a_shuf1" && lines[2] == ">a_shuf2" && lines[6] == ">b_shuf2")
    #expect(lines[1].count == 18 && lines[1].first == "A" && lines[1].last == "G")
    #expect(
      try cks(["shuffle", "-", "--shuffles", "2", "--seed", "5"], input: input).stdout
        == first.stdout)
  }
}
