import CKSCore
import Foundation
import Testing

@testable import CKSIO

@Suite struct ModelFileTests {
  let model = TrainedModel.random(
    CKSModel(
      filterWidth: 8, featureCount: 5, gamma: 0.5, seed: 42,
      ridge: RidgeModel(
        penalty: 100, weights: [1.5, -2.25, 1e-7, 0.1, -0.333_333_34], intercept: -0.123_456_79)))

  func written() throws -> String {
    let path = try temporaryFolder().appendingPathComponent("m.model").path
    try ModelFile.write(model, summary: [("training-positives", "10")], to: path)
    return path
  }

  @Test func roundTripsExactly() throws {
    let path = try written()
    let contents = try ModelFile.read(path: path)
    #expect(contents.model == model)
    #expect(contents.fields["training-positives"] == "10")
    // Writing again gives the same bytes.
    let again = path + "2"
    try ModelFile.write(contents.model, summary: [("training-positives", "10")], to: again)
    #expect(
      FileManager.default.contents(atPath: path) == FileManager.default.contents(atPath: again))
  }

  @Test func corruptedWeightIsAChecksumError() throws {
    let path = try written()
    var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
    bytes[bytes.count - 3] ^= 0x10
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let error = inputError { _ = try ModelFile.read(path: path) }
    #expect(error?.description.contains("checksum mismatch") == true)
  }

  @Test func corruptedHeaderIsAChecksumError() throws {
    let path = try written()
    var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
    let needle = Array("gamma\t0.5".utf8)
    let at = (0..<(bytes.count - needle.count)).first {
      Array(bytes[$0..<($0 + needle.count)]) == needle
    }!
    bytes[at + needle.count - 1] = UInt8(ascii: "6")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    #expect(
      inputError { _ = try ModelFile.read(path: path) }?.description.contains("checksum mismatch")
        == true)
  }

  @Test func truncatedAndNewerVersion() throws {
    let path = try written()
    let bytes = FileManager.default.contents(atPath: path)!
    try bytes.prefix(bytes.count - 4).write(to: URL(fileURLWithPath: path))
    #expect(
      inputError { _ = try ModelFile.read(path: path) }?.description.contains("truncated") == true)
    try bytes.prefix(40).write(to: URL(fileURLWithPath: path))
    #expect(
      inputError { _ = try ModelFile.read(path: path) }?.description.contains("truncated") == true)
    var newer = bytes
    newer.replaceSubrange(0..<11, with: Array("cks-model\t9".utf8))  // version 9
    try newer.write(to: URL(fileURLWithPath: path))
    let error = inputError { _ = try ModelFile.read(path: path) }
    #expect(error?.line == 1)
    #expect(error?.description.contains("newer") == true)
  }

  @Test func exactModelRoundTripsAndVersionOneIsRead() throws {
    let exact = TrainedModel.exact(
      ExactModel(
        filterWidth: 2, alphabetSize: 5, gamma: 1, penalty: 10, strand: .both,
        table: (0..<25).map { Float($0) * 0.5 - 3 }, intercept: 0.25))
    let path = try temporaryFolder().appendingPathComponent("e.model").path
    try ModelFile.write(exact, to: path)
    #expect(try ModelFile.read(path: path).model == exact)
    // A version-1 file (random kernel, weights only) from the first release.
    let v1 = fixture("version1.model")
    let contents = try ModelFile.read(path: v1)
    guard case .random(let random) = contents.model else {
      Issue.record("expected a random-kernel model")
      return
    }
    #expect(random.featureCount == 4 && random.strand == .forward && contents.table == nil)
  }

  @Test func notAModel() {
    #expect(
      inputError { _ = try ModelFile.read(path: fixture("good.fa")) }?.description.contains(
        "not a cks model") == true)
  }
}

@Suite struct NonFiniteTests {
  /// A model with NaN or infinity is never written, and no file is left.
  @Test(arguments: [Float.nan, Float.infinity])
  func modelWriterRefusesNonFiniteValues(_ bad: Float) throws {
    let folder = try temporaryFolder()
    let path = folder.appendingPathComponent("m.model").path
    let random = TrainedModel.random(
      CKSModel(
        filterWidth: 3, featureCount: 2, gamma: 1, seed: 1,
        ridge: RidgeModel(penalty: 1, weights: [1, bad], intercept: 0)))
    let exact = TrainedModel.exact(
      ExactModel(
        filterWidth: 1, alphabetSize: 4, gamma: 1, penalty: 1, strand: .forward,
        table: [0, 1, bad, 2], intercept: 0))
    for model in [random, exact] {
      let error = inputError { try ModelFile.write(model, to: path) }
      #expect(
        error?.description.contains("refusing to write a model") == true,
        "\(String(describing: error))")
      #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }
  }
}

@Suite struct OutputFileTests {
  @Test func writesAtomicallyAndLeavesNoTemporaryFile() throws {
    let folder = try temporaryFolder()
    let path = folder.appendingPathComponent("out.tsv").path
    try OutputFile.write("a\tb\n", to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "a\tb\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.tsv"])
    let error = inputError {
      try OutputFile.write("x", to: folder.appendingPathComponent("no/such/dir.tsv").path)
    }
    #expect(error != nil)
  }
}

@Suite struct ConcurrentOutputTests {
  /// Writers on many threads share the list of temporary files (a race ThreadSanitizer found
  /// in CI): every file lands whole and no temporary file is left.
  @Test func concurrentWritersAllLand() throws {
    let folder = try temporaryFolder()
    DispatchQueue.concurrentPerform(iterations: 64) { index in
      let path = folder.appendingPathComponent("out\(index).tsv").path
      try? OutputFile.write("file \(index)\n", to: path)
    }
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
    #expect(Set(names) == Set((0..<64).map { "out\($0).tsv" }))
    for index in 0..<64 {
      let text = try String(
        contentsOfFile: folder.appendingPathComponent("out\(index).tsv").path, encoding: .utf8)
      #expect(text == "file \(index)\n")
    }
  }
}

@Suite struct ROCPlotTests {
  @Test func drawsOneCurvePerSetWithAUCInLegend() {
    let curve = ROCPlot.Curve(
      name: "GABPA <B>", auc: 0.97681,
      points: [
        ROCPoint(falsePositiveRate: 0, truePositiveRate: 0),
        ROCPoint(falsePositiveRate: 1, truePositiveRate: 1),
      ])
    let svg = ROCPlot.svg([curve, curve])
    #expect(svg.hasPrefix("<svg"))
    #expect(svg.components(separatedBy: "<polyline").count == 3)
    #expect(svg.contains("GABPA &lt;B&gt; (AUC 0.9768)"))
  }
}
