import Dispatch
import Synchronization

/// The lookup convolution plus cosine: the hot loop of the random-feature map.
///
/// One-hot input makes w_j · window a sum of n table entries, one per position, chosen by the
/// base there (an N adds zero). Filters are processed 16 at a time in `SIMD16<Float>` lanes, from a
/// group-major copy of the weights so each group's 5n × 16 table (2.5 KB at n = 8) stays in L1.
struct FeatureKernel: Sendable {
  static let lanes = 16
  let filterWidth: Int
  let featureCount: Int
  let groupCount: Int
  /// `table[((g * filterWidth + l) * 5 + code) * 16 + lane]`; code 4 (N) rows are zero.
  let table: [Float]
  /// Phases padded to `groupCount * 16`.
  let phases: [Float]
  /// √(2/M).
  let scale: Float

  init(filters: RandomFilterBank) {
    let n = filters.filterWidth
    let m = filters.featureCount
    filterWidth = n
    featureCount = m
    groupCount = (m + Self.lanes - 1) / Self.lanes
    var table = [Float](repeating: 0, count: groupCount * n * 5 * Self.lanes)
    var phases = [Float](repeating: 0, count: groupCount * Self.lanes)
    for j in 0..<m {
      let g = j / Self.lanes
      let lane = j % Self.lanes
      phases[j] = filters.phases[j]
      for l in 0..<n {
        for code in 0..<4 {
          table[((g * n + l) * 5 + code) * Self.lanes + lane] =
            filters.weights[(l * 4 + code) * m + j]
        }
      }
    }
    self.table = table
    self.phases = phases
    scale = Float((2.0 / Double(m)).squareRoot())
  }

  /// Writes the M features of one sequence to `output[0..<M]`.
  ///
  /// `offsets` is scratch of at least `(length − n + 1) · n` entries.
  /// - Complexity: (L − n + 1) · M · (n adds + 1 cosine).
  func features(
    of codes: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<Float>,
    offsets: inout [Int32]
  ) {
    let n = filterWidth
    let windowCount = codes.count - n + 1
    guard windowCount > 0 else {
      output.update(repeating: 0, count: featureCount)
      return
    }
    if offsets.count < windowCount * n {
      offsets = [Int32](repeating: 0, count: windowCount * n)
    }
    for i in 0..<windowCount {
      for l in 0..<n {
        offsets[i * n + l] = Int32((l * 5 + Int(codes[i + l])) * Self.lanes)
      }
    }
    let groupStride = n * 5 * Self.lanes
    let scaleVector = SIMD16<Float>(repeating: scale)
    table.withUnsafeBufferPointer { tableBuffer in
      phases.withUnsafeBufferPointer { phaseBuffer in
        offsets.withUnsafeBufferPointer { offsetBuffer in
          guard let tablePointer = tableBuffer.baseAddress,
            let phasePointer = phaseBuffer.baseAddress, let off = offsetBuffer.baseAddress
          else { return }
          let tableBase = UnsafeRawPointer(tablePointer)
          let phaseBase = UnsafeRawPointer(phasePointer)
          for g in 0..<groupCount {
            let groupBase = tableBase + g * groupStride * 4
            let phase = phaseBase.loadUnaligned(fromByteOffset: g * 64, as: SIMD16<Float>.self)
            var acc0 = SIMD16<Float>()
            var acc1 = SIMD16<Float>()
            var i = 0
            while i + 1 < windowCount {
              var v0 = phase
              var v1 = phase
              let o0 = off + i * n
              let o1 = o0 + n
              for l in 0..<n {
                v0 += groupBase.loadUnaligned(
                  fromByteOffset: Int(o0[l]) * 4, as: SIMD16<Float>.self)
                v1 += groupBase.loadUnaligned(
                  fromByteOffset: Int(o1[l]) * 4, as: SIMD16<Float>.self)
              }
              acc0 += FastCosine.cos(v0)
              acc1 += FastCosine.cos(v1)
              i += 2
            }
            if i < windowCount {
              var v0 = phase
              let o0 = off + i * n
              for l in 0..<n {
                v0 += groupBase.loadUnaligned(
                  fromByteOffset: Int(o0[l]) * 4, as: SIMD16<Float>.self)
              }
              acc0 += FastCosine.cos(v0)
            }
            let result = (acc0 + acc1) * scaleVector
            let first = g * Self.lanes
            if first + Self.lanes <= featureCount {
              UnsafeMutableRawPointer(output + first).storeBytes(of: result, as: SIMD16<Float>.self)
            } else {
              for lane in 0..<(featureCount - first) { output[first + lane] = result[lane] }
            }
          }
        }
      }
    }
  }
}

/// Runs `body(index)` for every index in `0..<count` on up to `threadCount` threads, handing out
/// indices dynamically.
///
/// Callers make each index's result independent of which thread runs it, so
/// output never depends on the thread count. BLAS calls inside must be single-threaded.
func parallelFor(_ count: Int, threadCount: Int, _ body: @Sendable (Int) -> Void) {
  let threads = max(1, min(threadCount, count))
  if threads == 1 {
    for index in 0..<count { body(index) }
    return
  }
  let next = Atomic<Int>(0)
  DispatchQueue.concurrentPerform(iterations: threads) { _ in
    while true {
      let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
      if index >= count { break }
      body(index)
    }
  }
}
