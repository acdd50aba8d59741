// swift-tools-version:6.0
// libFuzzer driver for cks's readers. Build and run with `bash Examples/fuzz.sh` (it passes
// --sanitize=fuzzer --sanitize=address and the coverage kinds); a plain `swift build` here cannot link (libFuzzer
// provides main).
import PackageDescription

let package = Package(
  name: "cks-fuzz",
  dependencies: [.package(name: "cks", path: "../..")],
  targets: [
    .executableTarget(
      name: "cks-fuzz",
      dependencies: [.product(name: "CKSFuzzTargets", package: "cks")],
      swiftSettings: [.unsafeFlags(["-parse-as-library"])])
  ]
)
