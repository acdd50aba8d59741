import Dispatch
import Synchronization

/// The lookup convolution plus cosine: the hot loop of the random-feature map.
///
/// One-hot input makes w_j · window a sum of n table entries, one per position, chosen by the
/// base there (an N adds zero). Positions are taken in pairs from a precombined table of the 25
/// (base, base) combinations, so a window costs ⌈n/2⌉ vector adds, then one cosine. Filters are
/// processed 16 at a time in `SIMD16<Float>` lanes, from a group-major table so each group's
/// ⌈n/2⌉ × 25 × 16 floats (6.4 KB at n = 8) stay in L1.
struct FeatureKernel: Sendable {
  static let lanes = 16
  let filterWidth: Int
  let featureCount: Int
  let groupCount: Int
  /// Number of position pairs ⌈n/2⌉ (an odd n's last pair has an absent second position).
  let pairCount: Int
  /// `table[((g * pairCount + p) * 25 + c1 * 5 + c2) * 16 + lane]` = W[2p][c1] + W[2p+1][c2],
  /// where code 4 (N, or an absent position) contributes zero.
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
    pairCount = (n + 1) / 2
    var table = [Float](repeating: 0, count: groupCount * pairCount * 25 * Self.lanes)
    var phases = [Float](repeating: 0, count: groupCount * Self.lanes)
    func weight(_ l: Int, _ code: Int, _ j: Int) -> Float {
      l < n && code < 4 ? filters.weights[(l * 4 + code) * m + j] : 0
    }
    for j in 0..<m {
      let g = j / Self.lanes
      let lane = j % Self.lanes
      phases[j] = filters.phases[j]
      for p in 0..<pairCount {
        for c1 in 0..<5 {
          for c2 in 0..<5 {
            table[((g * pairCount + p) * 25 + c1 * 5 + c2) * Self.lanes + lane] =
              weight(2 * p, c1, j) + weight(2 * p + 1, c2, j)
          }
        }
      }
    }
    self.table = table
    self.phases = phases
    scale = Float((2.0 / Double(m)).squareRoot())
  }

  /// Writes the M features of each sequence of `batch` to consecutive rows of `output`
  /// (row-major, `batch.count × M`).
  ///
  /// Loops over filter groups outermost, so each group's table is loaded into L1 once per batch,
  /// not once per sequence. `offsets` is scratch.
  /// - Complexity: Σ (L − n + 1) · M · (⌈n/2⌉ adds + 1 cosine).
  func features(
    of batch: ArraySlice<DNASequence>, strand: Strand = .forward,
    into output: UnsafeMutablePointer<Float>, offsets: inout [Int]
  ) {
    // Runs of sequences whose offsets fit the cap go together; a sequence over the cap alone
    // (a chromosome-scale FASTA record) is done in segments. Either way a sequence's features
    // depend on nothing but the sequence.
    let perWindow = pairCount * (strand == .both ? 2 : 1)
    var start = batch.startIndex
    while start < batch.endIndex {
      var end = start
      var total = 0
      while end < batch.endIndex {
        let need = max(0, batch[end].count - filterWidth + 1) * perWindow
        if end > start && total + need > Self.maximumOffsets { break }
        total += need
        end += 1
      }
      let row = output + (start - batch.startIndex) * featureCount
      if total > Self.maximumOffsets {
        segmentedFeatures(of: batch[start], strand: strand, into: row, offsets: &offsets)
      } else {
        batchFeatures(of: batch[start..<end], strand: strand, into: row, offsets: &offsets)
      }
      start = end
    }
  }

  /// Window offsets held at once per thread (2 MB).
  static let maximumOffsets = 1 << 18

  /// Features of one long sequence, `maximumOffsets` offsets at a time, summed segment by
  /// segment into `output`.
  private func segmentedFeatures(
    of sequence: DNASequence, strand: Strand, into output: UnsafeMutablePointer<Float>,
    offsets: inout [Int]
  ) {
    let n = pairCount
    let windowCount = sequence.count - filterWidth + 1
    let segment = Self.maximumOffsets / n
    if offsets.count < segment * n { offsets = [Int](repeating: 0, count: segment * n) }
    var first = true
    for strandCodes in strand == .both
      ? [sequence.codes, sequence.reverseComplement.codes] : [sequence.codes]
    {
      strandCodes.withUnsafeBufferPointer { codes in
        var start = 0
        while start < windowCount {
          let end = min(windowCount, start + segment)
          var k = 0
          for i in start..<end {
            for p in 0..<n {
              let first = Int(codes[i + 2 * p])
              let second = 2 * p + 1 < filterWidth ? Int(codes[i + 2 * p + 1]) : 4
              offsets[k] = (p * 25 + first * 5 + second) * Self.lanes * 4  // bytes
              k += 1
            }
          }
          let adding = !first
          offsets.withUnsafeBufferPointer { offsetBuffer in
            guard let off = offsetBuffer.baseAddress else { return }
            for g in 0..<groupCount {
              accumulate(
                groups: g..<(g + 1), offsets: off, windowCount: end - start, into: output,
                adding: adding)
            }
          }
          first = false
          start = end
        }
      }
    }
  }

  /// Features of sequences whose offsets fit in memory together.
  private func batchFeatures(
    of batch: ArraySlice<DNASequence>, strand: Strand,
    into output: UnsafeMutablePointer<Float>, offsets: inout [Int]
  ) {
    let n = pairCount
    let strands = strand == .both ? 2 : 1
    var starts = [Int]()
    var total = 0
    for sequence in batch {
      starts.append(total)
      total += max(0, sequence.count - filterWidth + 1) * n * strands
    }
    if offsets.count < total { offsets = [Int](repeating: 0, count: total) }
    for (row, sequence) in batch.enumerated() {
      let windowCount = sequence.count - filterWidth + 1
      guard windowCount > 0 else {
        (output + row * featureCount).update(repeating: 0, count: featureCount)
        continue
      }
      var k = starts[row]
      for strandCodes in strand == .both
        ? [sequence.codes, sequence.reverseComplement.codes] : [sequence.codes]
      {
        strandCodes.withUnsafeBufferPointer { codes in
          for i in 0..<windowCount {
            for p in 0..<n {
              let first = Int(codes[i + 2 * p])
              let second = 2 * p + 1 < filterWidth ? Int(codes[i + 2 * p + 1]) : 4
              offsets[k] = (p * 25 + first * 5 + second) * Self.lanes * 4  // bytes
              k += 1
            }
          }
        }
      }
    }
    offsets.withUnsafeBufferPointer { offsetBuffer in
      guard let off = offsetBuffer.baseAddress else { return }
      for g in 0..<groupCount {
        for (row, sequence) in batch.enumerated() {
          let windowCount = (sequence.count - filterWidth + 1) * strands
          guard windowCount > 0 else { continue }
          accumulate(
            groups: g..<(g + 1), offsets: off + starts[row], windowCount: windowCount,
            into: output + row * featureCount, adding: false)
        }
      }
    }
  }

  /// The linear score w · φ(window) of single windows, each given as n codes.
  ///
  /// `windows` holds `count · n` codes (window after window). `weights` holds M weights.
  /// Accumulates over filter groups outermost with one `SIMD16` partial sum per window, so each
  /// group's table stays in L1 while all windows pass. The n-mer table is built with this.
  /// - Complexity: count · M · (⌈n/2⌉ adds + 1 cosine + 1 FMA).
  func windowScores(
    of windows: UnsafeBufferPointer<UInt8>, count: Int, weights: [Float],
    into output: UnsafeMutablePointer<Float>
  ) {
    precondition(windows.count == count * filterWidth, "window codes do not match count")
    precondition(weights.count == featureCount, "\(weights.count) weights for M=\(featureCount)")
    let n = pairCount
    var offsets = [Int](repeating: 0, count: count * n)
    for w in 0..<count {
      for p in 0..<n {
        let first = Int(windows[w * filterWidth + 2 * p])
        let second = 2 * p + 1 < filterWidth ? Int(windows[w * filterWidth + 2 * p + 1]) : 4
        offsets[w * n + p] = (p * 25 + first * 5 + second) * Self.lanes * 4
      }
    }
    var padded = weights
    padded += [Float](repeating: 0, count: groupCount * Self.lanes - featureCount)
    var partial = [SIMD16<Float>](repeating: SIMD16(), count: count)
    let groupStride = n * 25 * Self.lanes * 4
    table.withUnsafeBytes { tableBytes in
      phases.withUnsafeBytes { phaseBytes in
        padded.withUnsafeBytes { weightBytes in
          offsets.withUnsafeBufferPointer { offsetBuffer in
            partial.withUnsafeMutableBufferPointer { sums in
              guard let tableBase = tableBytes.baseAddress, let phaseBase = phaseBytes.baseAddress,
                let weightBase = weightBytes.baseAddress, let off = offsetBuffer.baseAddress
              else { return }
              for g in 0..<groupCount {
                let groupBase = tableBase + g * groupStride
                let phase = phaseBase.loadUnaligned(fromByteOffset: g * 64, as: SIMD16<Float>.self)
                let weight = weightBase.loadUnaligned(
                  fromByteOffset: g * 64, as: SIMD16<Float>.self)
                for w in 0..<count {
                  var v = phase
                  let o = off + w * n
                  for p in 0..<n {
                    v += groupBase.loadUnaligned(fromByteOffset: o[p], as: SIMD16<Float>.self)
                  }
                  sums[w] = sums[w].addingProduct(weight, FastCosine.cos(v))
                }
              }
            }
          }
        }
      }
    }
    for w in 0..<count { output[w] = partial[w].sum() * scale }
  }

  /// Features of `groups` for one sequence whose window offsets start at `off`.
  private func accumulate(
    groups: Range<Int>, offsets off: UnsafePointer<Int>, windowCount: Int,
    into output: UnsafeMutablePointer<Float>, adding: Bool
  ) {
    let n = pairCount
    let groupStride = n * 25 * Self.lanes
    let scaleVector = SIMD16<Float>(repeating: scale)
    table.withUnsafeBufferPointer { tableBuffer in
      phases.withUnsafeBufferPointer { phaseBuffer in
        guard let tablePointer = tableBuffer.baseAddress,
          let phasePointer = phaseBuffer.baseAddress
        else { return }
        let tableBase = UnsafeRawPointer(tablePointer)
        let phaseBase = UnsafeRawPointer(phasePointer)
        for g in groups {
          let groupBase = tableBase + g * groupStride * 4
          let phase = phaseBase.loadUnaligned(fromByteOffset: g * 64, as: SIMD16<Float>.self)
          var acc0 = SIMD16<Float>()
          var acc1 = SIMD16<Float>()
          var acc2 = SIMD16<Float>()
          var acc3 = SIMD16<Float>()
          var i = 0
          if n == 4 {
            // n = 7 or 8 (the default): four pair lookups per window, fully unrolled.
            while i + 3 < windowCount {
              let o = off + i * 4
              var v0 = phase + groupBase.loadUnaligned(fromByteOffset: o[0], as: SIMD16<Float>.self)
              var v1 = phase + groupBase.loadUnaligned(fromByteOffset: o[4], as: SIMD16<Float>.self)
              var v2 = phase + groupBase.loadUnaligned(fromByteOffset: o[8], as: SIMD16<Float>.self)
              var v3 =
                phase + groupBase.loadUnaligned(fromByteOffset: o[12], as: SIMD16<Float>.self)
              for l in 1..<4 {
                v0 += groupBase.loadUnaligned(fromByteOffset: o[l], as: SIMD16<Float>.self)
                v1 += groupBase.loadUnaligned(fromByteOffset: o[4 + l], as: SIMD16<Float>.self)
                v2 += groupBase.loadUnaligned(fromByteOffset: o[8 + l], as: SIMD16<Float>.self)
                v3 += groupBase.loadUnaligned(fromByteOffset: o[12 + l], as: SIMD16<Float>.self)
              }
              acc0 += FastCosine.cos(v0)
              acc1 += FastCosine.cos(v1)
              acc2 += FastCosine.cos(v2)
              acc3 += FastCosine.cos(v3)
              i += 4
            }
          }
          while i + 3 < windowCount {
            var v0 = phase
            var v1 = phase
            var v2 = phase
            var v3 = phase
            let o0 = off + i * n
            for l in 0..<n {
              v0 += groupBase.loadUnaligned(
                fromByteOffset: o0[l], as: SIMD16<Float>.self)
              v1 += groupBase.loadUnaligned(
                fromByteOffset: o0[n + l], as: SIMD16<Float>.self)
              v2 += groupBase.loadUnaligned(
                fromByteOffset: o0[2 * n + l], as: SIMD16<Float>.self)
              v3 += groupBase.loadUnaligned(
                fromByteOffset: o0[3 * n + l], as: SIMD16<Float>.self)
            }
            acc0 += FastCosine.cos(v0)
            acc1 += FastCosine.cos(v1)
            acc2 += FastCosine.cos(v2)
            acc3 += FastCosine.cos(v3)
            i += 4
          }
          while i < windowCount {
            var v0 = phase
            let o0 = off + i * n
            for l in 0..<n {
              v0 += groupBase.loadUnaligned(
                fromByteOffset: o0[l], as: SIMD16<Float>.self)
            }
            acc0 += FastCosine.cos(v0)
            i += 1
          }
          acc0 += acc2
          acc1 += acc3
          let result = (acc0 + acc1) * scaleVector
          let first = g * Self.lanes
          for lane in 0..<min(Self.lanes, featureCount - first) {
            output[first + lane] = adding ? output[first + lane] + result[lane] : result[lane]
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
