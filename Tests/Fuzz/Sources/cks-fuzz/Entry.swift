import CKSFuzzTargets

#if canImport(Glibc)
  import Glibc
#endif

/// The target chosen by `CKS_FUZZ_TARGET` (deepbind, fasta, bed, model); the BED target reads
/// its genome from `CKS_FUZZ_GENOME`.
nonisolated(unsafe) private var harness: FuzzHarness?

@_cdecl("LLVMFuzzerInitialize")
public func initialize(
  _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
) -> Int32 {
  let name = getenv("CKS_FUZZ_TARGET").map { String(cString: $0) } ?? ""
  guard let target = FuzzTarget(rawValue: name) else {
    let message = Array("set CKS_FUZZ_TARGET to one of: deepbind fasta bed model\n".utf8)
    message.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    exit(2)
  }
  let genome = getenv("CKS_FUZZ_GENOME").map { String(cString: $0) }
  harness = try! FuzzHarness(target: target, genome: genome)
  return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  harness?.run(UnsafeRawBufferPointer(start: data, count: size))
  return 0
}
