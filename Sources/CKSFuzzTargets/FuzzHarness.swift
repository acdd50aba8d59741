import CKSCore
import CKSIO

#if canImport(Glibc)
  import Glibc
#endif

/// The readers exposed to fuzzing: each takes arbitrary bytes as a whole input file.
public enum FuzzTarget: String, CaseIterable, Sendable {
  case deepbind, fasta, bed, model
}

/// Runs one reader on arbitrary bytes, as libFuzzer's `LLVMFuzzerTestOneInput` does.
///
/// The bytes go to a file in `/dev/shm` (memory-backed), read by the same code as any user file
/// (plain, gzip or bgzip). Every way a reader can refuse input
/// (`InputError`) is fine; a crash, a hang, or a violated invariant (a base code above 4, a
/// non-finite score from an accepted model) is a finding.
public final class FuzzHarness {
  public let target: FuzzTarget
  private let descriptor: Int32
  private let path: String
  private let reader: SequenceReader

  /// - Parameter genome: FASTA path used by the BED target (indexed once here).
  public init(target: FuzzTarget, genome: String? = nil) throws {
    self.target = target
    let folder = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    var template = Array("\(folder)/cks-fuzz-XXXXXX".utf8CString)
    descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    precondition(descriptor >= 0, "cannot create a scratch file in \(folder)")
    let name = String(
      decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    // Unlinked at once: nothing is left behind however the process ends (libFuzzer exits
    // without running deinitializers); the readers reopen it through /proc.
    unlink(name)
    path = "/proc/self/fd/\(descriptor)"
    switch target {
    case .deepbind: reader = SequenceReader(format: .deepbind)
    case .fasta: reader = SequenceReader(format: .fasta)
    case .bed:
      // A private copy, so its .fai lands in the scratch folder, not beside the original.
      let copy = name + ".fa"
      let source = fopen(genome ?? "genome.fa", "rb")
      let destination = fopen(copy, "wb")
      precondition(source != nil && destination != nil, "cannot copy the BED target's genome")
      var buffer = [UInt8](repeating: 0, count: 1 << 16)
      while true {
        let count = fread(&buffer, 1, buffer.count, source)
        if count == 0 { break }
        fwrite(buffer, 1, count, destination)
      }
      fclose(source)
      fclose(destination)
      let loaded = try Genome(path: copy)  // keeps the FASTA open; the names can go
      unlink(copy)
      unlink(copy + ".fai")
      reader = SequenceReader(format: .bed, genome: loaded, windowWidth: 21)
    case .model: reader = SequenceReader()
    }
  }

  deinit { close(descriptor) }

  /// Feeds `bytes` to the target's reader.
  public func run(_ bytes: UnsafeRawBufferPointer) {
    ftruncate(descriptor, 0)
    var written = 0
    while written < bytes.count, let base = bytes.baseAddress {
      let count = pwrite(descriptor, base + written, bytes.count - written, off_t(written))
      precondition(count > 0, "write to the scratch file failed")
      written += count
    }
    switch target {
    case .deepbind, .fasta, .bed:
      do {
        let stream = try reader.open(path: path)
        while let record = try stream.next() {
          precondition(record.sequence.codes.allSatisfy { $0 <= 4 }, "base code above 4")
        }
      } catch {}
    case .model:
      guard let contents = try? ModelFile.read(path: path) else { return }
      let probe = DNASequence(codes: [0, 1, 2, 3, 4, 3, 2, 1, 0, 0, 1, 1, 2, 2, 3, 3, 4, 0])
      let scores = contents.scorer().scores(of: [probe])
      precondition(scores.allSatisfy(\.isFinite), "accepted model gives a non-finite score")
    }
  }

  /// Feeds `bytes` to the target's reader.
  public func run(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { run($0) }
  }
}
