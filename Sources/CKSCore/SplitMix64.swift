/// A tiny, fast, platform-independent seeded random number generator (SplitMix64).
///
/// The same seed gives the same stream on every machine, so filters, shuffles and hold-out splits
/// are reproducible. Reference: Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators" (OOPSLA 2014); constants as in Java's `SplittableRandom`.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64

  /// Creates a generator whose stream is fixed by `seed`.
  public init(seed: UInt64) {
    state = seed
  }

  /// Creates a generator for one item of a larger job, independent of the order items are run in.
  ///
  /// The stream depends only on `(seed, stream, index)`, so parallel work is thread-count invariant.
  public init(seed: UInt64, stream: UInt64, index: UInt64) {
    var mixer = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
    let base = mixer.next()
    self.init(seed: base ^ (index &* 0x9E37_79B9_7F4A_7C15))
    _ = next()
  }

  /// Returns the next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Returns a uniform `Double` in [0, 1) built from the top 53 bits of one draw.
  public mutating func nextUnitDouble() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// Returns a standard normal draw (Box-Muller, cosine branch; two uniform draws per call).
  ///
  /// Uses `log`, `sqrt` and `cos` in `Double`; the result is rounded to `Float` by callers, so
  /// last-bit differences between C libraries do not reach the filters in practice.
  public mutating func nextStandardNormal() -> Double {
    let u1 = 1.0 - nextUnitDouble()  // (0, 1]
    let u2 = nextUnitDouble()
    return (-2.0 * _log(u1)).squareRoot() * _cos(2.0 * Double.pi * u2)
  }
}

extension RandomNumberGenerator {
  /// Returns a uniform integer in `0..<bound` without modulo bias (Lemire's method, with
  /// rejection).
  ///
  /// Spelled out here so shuffles do not depend on the standard library's algorithm.
  public mutating func nextIndex(below bound: Int) -> Int {
    precondition(bound > 0, "nextIndex(below:) needs a positive bound, got \(bound)")
    let b = UInt64(bound)
    var product = next().multipliedFullWidth(by: b)
    if product.low < b {
      let threshold = (0 &- b) % b
      while product.low < threshold {
        product = next().multipliedFullWidth(by: b)
      }
    }
    return Int(product.high)
  }
}
