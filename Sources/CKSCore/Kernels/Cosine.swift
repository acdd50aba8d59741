/// Vectorised cosine for the feature kernel.
///
/// Range reduction by π (Cody-Waite, two-part constant, fused multiply-add):
/// ```
/// k = round(x / π),  r = x − kπ ∈ [−π/2, π/2],  cos x = (−1)^k cos r
/// ```
/// then the Taylor polynomial of cos r through r¹² (truncation error below 7e-9 on [−π/2, π/2]).
/// Maximum absolute error against the exact cosine of the `Float` input is below 1e-6 for
/// |x| ≤ 1e4 (measured about 2.4e-7; tested in `CosineTests`). Inputs beyond ±2^22·π are not
/// supported (the rounding trick needs |x/π| < 2^22); the feature kernel never produces them.
public enum FastCosine {
  /// Cosine of each lane.
  ///
  /// Explicit FMA so the result is the same on every x86-64 or ARM CPU.
  @inline(__always)
  public static func cos(_ x: SIMD16<Float>) -> SIMD16<Float> {
    let magic = SIMD16<Float>(repeating: 12_582_912)  // 1.5 · 2^23: adds round to integer
    let q = (x * SIMD16(repeating: 0.318_309_886_183_790_67)) + magic
    let k = q - magic
    let parity = unsafeBitCast(q, to: SIMD16<UInt32>.self) &<< 31
    var r = x.addingProduct(k, SIMD16(repeating: -3.141_592_741_012_573_2))
    r = r.addingProduct(k, SIMD16(repeating: 8.742_278_000_372_485e-08))
    let z = r * r
    var p = SIMD16<Float>(repeating: 2.087_675_698_786_809_9e-09)  // 1/12!
    p = SIMD16(repeating: -2.755_731_922_398_589e-07).addingProduct(z, p)  // -1/10!
    p = SIMD16(repeating: 2.480_158_730_158_730_2e-05).addingProduct(z, p)  // 1/8!
    p = SIMD16(repeating: -0.001_388_888_888_888_889).addingProduct(z, p)  // -1/6!
    p = SIMD16(repeating: 0.041_666_666_666_666_664).addingProduct(z, p)  // 1/4!
    p = SIMD16(repeating: -0.5).addingProduct(z, p)
    p = SIMD16(repeating: 1).addingProduct(z, p)
    return unsafeBitCast(unsafeBitCast(p, to: SIMD16<UInt32>.self) ^ parity, to: SIMD16<Float>.self)
  }

  /// Scalar convenience (lane 0 of the vector routine), for tests.
  public static func cos(_ x: Float) -> Float {
    cos(SIMD16(repeating: x))[0]
  }
}
