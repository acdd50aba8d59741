import Dispatch

/// Measures this machine's ceilings for the two training kernels, for the benchmark.
///
/// The benchmark reports each stage as a fraction of these rates, measured in the same run.
public enum Ceilings {
  /// Cosines per second of `FastCosine` alone on `threadCount` threads: independent inputs from
  /// an L1-resident buffer, no table loads. The most the feature kernel could reach.
  public static func cosineRate(threadCount: Int, evaluations: Int = 4_000_000_000) -> Double {
    let threads = max(1, threadCount)
    let vectors = 256
    let passes = max(1, evaluations / threads / (vectors * 16))
    let sink = SendableCounter()
    let clock = Stopwatch()
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
      let inputs = (0..<vectors).map { v in
        SIMD16<Float>((0..<16).map { Float(v * 16 + $0) * 0.0123 - 20 + Float(thread) })
      }
      var acc0 = SIMD16<Float>()
      var acc1 = SIMD16<Float>()
      inputs.withUnsafeBufferPointer { x in
        for pass in 0..<passes {
          let shift = SIMD16<Float>(repeating: Float(pass & 7) * 0.01)
          var v = 0
          while v < vectors {
            acc0 += FastCosine.cos(x[v] + shift)
            acc1 += FastCosine.cos(x[v + 1] + shift)
            v += 2
          }
        }
      }
      sink.add(Double((acc0 + acc1).sum()))
    }
    let seconds = clock.seconds
    _ = sink.value
    return Double(passes * vectors * 16 * threads) / seconds
  }

  /// GFLOP/s of one OpenBLAS `cblas_ssyrk` call (its own threading, `threadCount` threads) on a
  /// `rows × featureCount` matrix: the machine's Gram-matrix ceiling. Counts rows · M · (M + 1).
  public static func syrkRate(featureCount: Int, rows: Int, threadCount: Int) -> Double {
    var generator = SplitMix64(seed: 1)
    let x = (0..<(rows * featureCount)).map { _ in Float(generator.nextUnitDouble()) - 0.5 }
    var c = [Float](repeating: 0, count: featureCount * featureCount)
    BLAS.setThreadCount(threadCount)
    defer { BLAS.setThreadCount(1) }
    var best = 0.0
    for _ in 0..<2 {
      let clock = Stopwatch()
      x.withUnsafeBufferPointer { a in
        c.withUnsafeMutableBufferPointer { g in
          guard let a = a.baseAddress, let g = g.baseAddress else { return }
          BLAS.addBlockGram(
            a, rowCount: rows, leadingDimension: featureCount, start: 0, count: featureCount,
            into: g, ldc: featureCount)
        }
      }
      best = max(
        best, Double(rows) * Double(featureCount) * Double(featureCount + 1) / clock.seconds)
    }
    return best / 1e9
  }

  /// GFLOP/s of cks's own deterministic Gram update (`RidgeRegression.add`) on the same shape.
  public static func gramRate(featureCount: Int, rows: Int, threadCount: Int) -> Double {
    var generator = SplitMix64(seed: 1)
    let x = Matrix(
      rowCount: rows, columnCount: featureCount,
      values: (0..<(rows * featureCount)).map { _ in Float(generator.nextUnitDouble()) - 0.5 })
    let labels = [Float](repeating: 1, count: rows)
    var regression = RidgeRegression(featureCount: featureCount)
    BLAS.setThreadCount(1)
    var best = 0.0
    for _ in 0..<2 {
      let clock = Stopwatch()
      regression.add(x, labels: labels, threadCount: threadCount)
      best = max(
        best, Double(rows) * Double(featureCount) * Double(featureCount + 1) / clock.seconds)
    }
    return best / 1e9
  }
}

/// A lock-protected sum that keeps benchmark results alive (the optimiser cannot drop them).
final class SendableCounter: @unchecked Sendable {
  private var total = 0.0
  private let lock = DispatchSemaphore(value: 1)

  func add(_ value: Double) {
    lock.wait()
    total += value
    lock.signal()
  }

  var value: Double {
    lock.wait()
    defer { lock.signal() }
    return total
  }
}
