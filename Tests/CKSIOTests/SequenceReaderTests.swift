import CKSCore
import Foundation
import Testing

@testable import CKSIO

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
  "Fixtures")

func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

/// A fresh temporary folder.
func temporaryFolder() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent(
    "cks-tests-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// The error thrown by `body`, which must throw an `InputError`.
func inputError(_ body: () throws -> Void) -> InputError? {
  do {
    try body()
    return nil
  } catch let error as InputError {
    return error
  } catch {
    return nil
  }
}

@Suite struct DeepBindReaderTests {
  @Test(arguments: ["good.seq", "good.seq.gz"])
  func readsPlainAndGzip(name: String) throws {
    let (format, records) = try SequenceReader().read(path: fixture(name))
    #expect(format == .deepbind)
    #expect(records.map(\.id) == ["seq_1_peak", "seq_1_shuf", "seq_2_peak"])
    #expect(records.map(\.label) == [true, false, true])
    #expect(records[2].sequence.text == "ACGTNNACGTNNACG")
  }

  @Test func badHeader() {
    let error = inputError { _ = try SequenceReader().read(path: fixture("bad_header.seq")) }
    #expect(error?.line == 1)
    #expect(error?.path == fixture("bad_header.seq"))
    guard case .badHeader = error?.reason else {
      Issue.record("expected badHeader, got \(String(describing: error))")
      return
    }
  }

  @Test func wrongColumnCount() {
    let error = inputError { _ = try SequenceReader().read(path: fixture("bad_columns.seq")) }
    #expect(
      error
        == InputError(
          path: fixture("bad_columns.seq"), line: 3, record: "s2",
          reason: .columnCount(expected: "4", found: 3)))
  }

  @Test func boundMustBeZeroOrOne() {
    let error = inputError { _ = try SequenceReader().read(path: fixture("bad_label.seq")) }
    #expect(
      error
        == InputError(path: fixture("bad_label.seq"), line: 3, record: "s2", reason: .badLabel("2"))
    )
  }

  @Test func invalidBaseNamesLineRecordAndColumn() {
    let error = inputError { _ = try SequenceReader().read(path: fixture("bad_base.seq")) }
    #expect(
      error
        == InputError(
          path: fixture("bad_base.seq"), line: 3, record: "s2",
          reason: .invalidBase(character: "J", column: 10)))
    #expect(
      error?.description
        == "\(fixture("bad_base.seq")):3: record 's2': invalid base 'J' at column 10 (allowed: ACGT, IUPAC codes, N; any case)"
    )
  }

  @Test func truncatedGzipIsAReadError() {
    let error = inputError { _ = try SequenceReader().read(path: fixture("truncated.seq.gz")) }
    #expect(error?.path == fixture("truncated.seq.gz"))
    #expect(error?.line != nil)
    guard case .readFailed = error?.reason else {
      Issue.record("expected readFailed, got \(String(describing: error))")
      return
    }
  }

  @Test func emptyAndMissingFiles() {
    #expect(
      inputError { _ = try SequenceReader().read(path: fixture("empty.fa")) }?.reason == .empty)
    let missing = inputError { _ = try SequenceReader().read(path: fixture("no-such-file.fa")) }
    #expect(missing?.reason == .cannotOpen("No such file or directory"))
  }
}

@Suite struct FASTAReaderTests {
  @Test func readsMultiLineRecordsWithCRLFAndSoftMasking() throws {
    let (format, records) = try SequenceReader().read(path: fixture("good.fa"))
    #expect(format == .fasta)
    #expect(records.map(\.id) == ["r1", "r2"])
    #expect(records[0].sequence.text == "ACGTACGTNNNN")
    #expect(records[1].sequence.text == "GGGG")
    #expect(records.allSatisfy { $0.label == nil })
  }

  @Test func readsBgzipFASTA() throws {
    let plain = try SequenceReader().read(path: fixture("good.fa")).records
    let bgzip = try SequenceReader().read(path: fixture("good.fa.bgz")).records
    #expect(bgzip == plain)
  }

  @Test func malformedFASTA() {
    #expect(
      inputError { _ = try SequenceReader().read(path: fixture("bad_base.fa")) }
        == InputError(
          path: fixture("bad_base.fa"), line: 4, record: "r2",
          reason: .invalidBase(character: " ", column: 3)))
    #expect(
      inputError { _ = try SequenceReader(format: .fasta).read(path: fixture("no_header.fa")) }
        == InputError(path: fixture("no_header.fa"), line: 1, reason: .sequenceBeforeHeader))
    #expect(
      inputError { _ = try SequenceReader().read(path: fixture("empty_record.fa")) }
        == InputError(
          path: fixture("empty_record.fa"), line: 1, record: "r1", reason: .emptySequence))
  }

  @Test func undetectableFormat() {
    #expect(
      inputError { _ = try SequenceReader().read(path: fixture("no_header.fa")) }?.reason
        == .unknownFormat)
  }
}

@Suite struct BEDReaderTests {
  func genomeCopy() throws -> Genome {
    let folder = try temporaryFolder()
    let path = folder.appendingPathComponent("genome.fa").path
    try FileManager.default.copyItem(atPath: fixture("genome.fa"), toPath: path)
    let genome = try Genome(path: path)
    #expect(FileManager.default.fileExists(atPath: path + ".fai"))
    return genome
  }

  @Test func cutsWindowsAroundSummitsAndMidpoints() throws {
    let genome = try genomeCopy()
    let reader = SequenceReader(genome: genome, windowWidth: 21)
    let (format, records) = try reader.read(path: fixture("peaks.narrowPeak"))
    #expect(format == .bed)
    #expect(records.map(\.id) == ["peakA", "chrA:10-31", "chrB:50-71"])
    let genomeText = try String(contentsOfFile: fixture("genome.fa"), encoding: .utf8)
      .split(separator: ">").map { $0.split(separator: "\n").dropFirst().joined() }
    // peakA: summit 100 + 30 = 130, window 120..<141.
    #expect(records[0].sequence.text == String(Array(genomeText[0])[120..<141]))
    #expect(records[1].sequence.text == String(Array(genomeText[0])[10..<31]))
    #expect(records[2].sequence.text == String(Array(genomeText[1])[50..<71]))
  }

  @Test func bgzipGenomeIsIndexedAndRead() throws {
    let folder = try temporaryFolder()
    let path = folder.appendingPathComponent("genome.fa.gz").path
    try FileManager.default.copyItem(atPath: fixture("genome.fa.bgz"), toPath: path)
    let reader = SequenceReader(genome: try Genome(path: path), windowWidth: 21)
    let plain = SequenceReader(genome: try genomeCopy(), windowWidth: 21)
    #expect(
      try reader.read(path: fixture("peaks.narrowPeak")).records
        == plain.read(path: fixture("peaks.narrowPeak")).records)
    #expect(FileManager.default.fileExists(atPath: path + ".gzi"))
  }

  @Test func malformedBED() throws {
    let genome = try genomeCopy()
    let reader = SequenceReader(genome: genome, windowWidth: 21)
    #expect(
      inputError { _ = try reader.read(path: fixture("off_end.bed")) }
        == InputError(
          path: fixture("off_end.bed"), line: 2, record: "chrB:100-120",
          reason: .offChromosome(chromosome: "chrB", start: 100, end: 121, length: 120)))
    #expect(
      inputError { _ = try reader.read(path: fixture("unknown_chromosome.bed")) }
        == InputError(
          path: fixture("unknown_chromosome.bed"), line: 2, record: "chrZ:1-50",
          reason: .unknownChromosome("chrZ")))
    #expect(
      inputError { _ = try reader.read(path: fixture("start_after_end.bed")) }
        == InputError(
          path: fixture("start_after_end.bed"), line: 2, record: "chrA:300-200",
          reason: .startNotBeforeEnd(start: 300, end: 200)))
    #expect(
      inputError { _ = try reader.read(path: fixture("short_line.bed")) }
        == InputError(
          path: fixture("short_line.bed"), line: 2,
          reason: .columnCount(expected: "at least 3", found: 2)))
  }

  @Test func bedWithoutGenomeAndUnindexableGenome() throws {
    #expect(
      inputError { _ = try SequenceReader().read(path: fixture("peaks.narrowPeak")) }?.reason
        == .genomeRequired)
    let folder = try temporaryFolder()
    let gzipped = folder.appendingPathComponent("genome.fa.gz").path
    try FileManager.default.copyItem(atPath: fixture("good.seq.gz"), toPath: gzipped)
    let error = inputError { _ = try Genome(path: gzipped) }
    #expect(error?.path == gzipped)
  }
}
