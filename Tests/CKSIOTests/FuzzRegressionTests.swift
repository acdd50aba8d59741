import CKSFuzzTargets
import Foundation
import Testing

/// Replays the fuzzing seed corpus and every saved crash input (`Tests/Fuzz/regressions/<target>/`)
/// through the same harness libFuzzer drives; a reader that crashes fails the run.
@Suite struct FuzzRegressionTests {
  static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fuzz")

  @Test(arguments: FuzzTarget.allCases)
  func corpusAndRegressionsRunCleanly(target: FuzzTarget) throws {
    let harness = try FuzzHarness(
      target: target, genome: fixture("genome.fa"))
    var count = 0
    for folder in ["corpus", "regressions"] {
      let directory = Self.fuzzFolder.appendingPathComponent("\(folder)/\(target.rawValue)")
      let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
      for name in names.sorted() {
        let bytes = try Data(contentsOf: directory.appendingPathComponent(name))
        harness.run([UInt8](bytes))
        count += 1
      }
    }
    #expect(count >= 3, "expected the seed corpus for \(target)")
  }
}
