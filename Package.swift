// swift-tools-version:6.0
import PackageDescription

/// Release builds target the build machine's CPU (AVX-512 and FMA where present): the cosine
/// kernel is 2-3x faster with wide vectors. `unsafeFlags` are allowed for a root package.
let nativeCPU: [SwiftSetting] = [
  .unsafeFlags(["-target-cpu", "native"], .when(configuration: .release))
]

let package = Package(
  name: "cks",
  products: [
    .executable(name: "cks", targets: ["cks"]),
    .library(name: "CKSCore", targets: ["CKSCore"]),
    .library(name: "CKSIO", targets: ["CKSIO"]),
    .library(name: "CKSFuzzTargets", targets: ["CKSFuzzTargets"]),
  ],
  targets: [
    // MARK: - C libraries (Debian: libopenblas-dev libhts-dev zlib1g-dev)
    .systemLibrary(
      name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(
      name: "CHTSlib", path: "Sources/CHTSlib", pkgConfig: "htslib",
      providers: [.apt(["libhts-dev"])]),
    .systemLibrary(
      name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]),

    // MARK: - Public API
    .target(name: "CKSCore", dependencies: ["COpenBLAS"], swiftSettings: nativeCPU),
    .target(
      name: "CKSIO", dependencies: ["CKSCore", "CHTSlib", "CZlib"], swiftSettings: nativeCPU),
    // The readers as libFuzzer targets (driven by Tests/Fuzz/, replayed by CKSIOTests).
    .target(name: "CKSFuzzTargets", dependencies: ["CKSCore", "CKSIO"]),
    .executableTarget(name: "cks", dependencies: ["CKSCore", "CKSIO"], swiftSettings: nativeCPU),

    // MARK: - Tests
    .testTarget(name: "CKSCoreTests", dependencies: ["CKSCore"]),
    .testTarget(
      name: "CKSIOTests", dependencies: ["CKSIO", "CKSCore", "CKSFuzzTargets"],
      exclude: ["Fixtures"]),
    .testTarget(name: "CKSCommandTests", dependencies: ["cks"], exclude: ["Golden"]),
  ]
)
