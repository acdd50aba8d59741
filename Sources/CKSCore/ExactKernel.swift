/// Which strands of a sequence the features count.
public enum Strand: String, Sendable, CaseIterable {
  /// The given strand only.
  case forward
  /// The sequence and its reverse complement: φ(x) + φ(rc x), a reverse-complement symmetric
  /// kernel.
  case both
}

/// Indexes the n-mers of a sequence over an alphabet of 4 (ACGT) or 5 (ACGTN) letters.
///
/// Index of an n-mer: base-q digits, first base most significant (A=0, C=1, G=2, T=3, N=4).
/// With q = 4, windows that contain an ambiguity code are skipped.
struct NmerIndexing: Sendable {
  let width: Int
  let alphabetSize: Int
  /// q^n.
  let count: Int
  /// q^(n−1).
  let highPower: Int

  init(width: Int, alphabetSize: Int) {
    precondition(alphabetSize == 4 || alphabetSize == 5, "alphabet size must be 4 or 5")
    precondition(width >= 1, "width must be >= 1")
    self.width = width
    self.alphabetSize = alphabetSize
    var power = 1
    for _ in 0..<(width - 1) { power *= alphabetSize }
    highPower = power
    count = power * alphabetSize
  }

  /// Calls `body` with the index of every window (and, for `.both`, of every window of the
  /// reverse complement), in order. With q = 4, windows holding an ambiguity code go to
  /// `unknown` (with the window's start) instead.
  @inline(__always)
  func forEachWindow(
    _ codes: UnsafeBufferPointer<UInt8>, strand: Strand, unknown: (Int) -> Void = { _ in },
    _ body: (Int) -> Void
  ) {
    let n = width
    guard codes.count >= n else { return }
    if alphabetSize == 4 {
      let mask = count - 1
      let shift = 2 * (n - 1)
      var index = 0
      var reverse = 0
      var lastUnknown = -1
      for i in 0..<codes.count {
        let code = Int(codes[i])
        if code == 4 {
          lastUnknown = i
          index = (index << 2) & mask
          reverse = reverse >> 2
        } else {
          index = ((index << 2) | code) & mask
          reverse = (reverse >> 2) | ((3 - code) << shift)
        }
        if i >= n - 1 {
          if lastUnknown <= i - n {
            body(index)
            if strand == .both { body(reverse) }
          } else {
            unknown(i - n + 1)
          }
        }
      }
    } else {
      var index = 0
      var reverse = 0
      for i in 0..<codes.count {
        let code = Int(codes[i])
        if i >= n { index -= Int(codes[i - n]) * highPower }
        index = index * 5 + code
        reverse = reverse / 5 + (code == 4 ? 4 : 3 - code) * highPower
        if i >= n - 1 {
          body(index)
          if strand == .both { body(reverse) }
        }
      }
    }
  }
}

/// y ← (M ⊗ M ⊗ … ⊗ M) x for an n-fold Kronecker power of a q × q matrix M (row-major), with x
/// indexed by base-q digits (first digit most significant).
///
/// Applies M along each of the n axes in turn, a fast transform like Walsh-Hadamard; `scratch`
/// must have the vector's size and is overwritten (unused when M = αI + β11ᵀ, which runs in
/// place on up to `threadCount` threads).
/// - Complexity: n · q^(n+1) multiply-adds.
func kroneckerPowerApply(
  _ matrix: [Double], alphabetSize q: Int, width n: Int, to vector: inout [Double],
  scratch: inout [Double], threadCount: Int = 1
) {
  precondition(matrix.count == q * q, "matrix must be \(q)×\(q)")
  var stride = vector.count / q
  // M = αI + β11ᵀ (the ACGT base kernel and its square root): y = αx + β Σ_axis x, 2 ops/entry.
  let alpha = matrix[0] - matrix[1]
  let beta = matrix[1]
  let isDiagonalPlusConstant = (0..<q).allSatisfy { r in
    (0..<q).allSatisfy { c in abs(matrix[r * q + c] - (r == c ? alpha + beta : beta)) < 1e-15 }
  }
  if isDiagonalPlusConstant {
    vector.withUnsafeMutableBufferPointer { buffer in
      guard let x = buffer.baseAddress else { return }
      diagonalPlusConstantPowerApply(
        alpha: alpha, beta: beta, alphabetSize: q, width: n, to: x, threadCount: threadCount)
    }
    return
  }
  precondition(scratch.count == vector.count, "scratch must match the vector")
  for _ in 0..<n {
    let blockSize = stride * q
    vector.withUnsafeBufferPointer { xBuffer in
      scratch.withUnsafeMutableBufferPointer { yBuffer in
        matrix.withUnsafeBufferPointer { mBuffer in
          guard let x = xBuffer.baseAddress, let y = yBuffer.baseAddress,
            let m = mBuffer.baseAddress
          else { return }
          var block = 0
          let total = xBuffer.count
          while block < total {
            for row in 0..<q {
              let out = y + block + row * stride
              let m0 = m[row * q]
              let in0 = x + block
              for inner in 0..<stride { out[inner] = m0 * in0[inner] }
              for column in 1..<q {
                let weight = m[row * q + column]
                let input = x + block + column * stride
                for inner in 0..<stride { out[inner] += weight * input[inner] }
              }
            }
            block += blockSize
          }
        }
      }
    }
    swap(&vector, &scratch)
    stride = max(1, stride / q)
  }
}

/// x ← (αI + β11ᵀ)^{⊗n} x in place, for x of q^n entries indexed by base-q digits.
///
/// Per axis, from the most significant digit down, each entry becomes α x + β (sum of the q
/// entries that differ from it in that digit only, added in digit order). The vector is read
/// as a matrix of q^u rows × q^t columns (t low digits, one row ≤ 32 KB): the u high axes run
/// on strips of 16 columns copied into a contiguous buffer (no power-of-two cache conflicts),
/// then the t low axes on each row. Two passes over memory instead of n; every entry sees the
/// same operations in the same order for any thread count.
func diagonalPlusConstantPowerApply(
  alpha: Double, beta: Double, alphabetSize q: Int, width n: Int,
  to x: UnsafeMutablePointer<Double>, threadCount: Int
) {
  var low = (axes: 0, length: 1)
  while low.axes < n && low.length * q * MemoryLayout<Double>.size <= 32_768 {
    low.length *= q
    low.axes += 1
  }
  let lowAxes = low.axes
  let rowLength = low.length
  let highAxes = n - lowAxes
  var rowCount = 1
  for _ in 0..<highAxes { rowCount *= q }
  let rows = rowCount
  let vector = SendablePointer(base: x)
  /// Applies `axes` axes, most significant first, to `units` units of `unitWidth` contiguous
  /// values at `base` (the units' digits are the axes' digits).
  @Sendable @inline(__always)
  func applyAxes(_ base: UnsafeMutablePointer<Double>, units: Int, unitWidth: Int, axes: Int) {
    var stride = units / q
    for _ in 0..<axes {
      // Within a block the q slabs that differ in this digit are contiguous runs of
      // stride · unitWidth values.
      let slab = stride * unitWidth
      var block = 0
      while block < units * unitWidth {
        let first = base + block
        if q == 4 {
          // The ACGT case unrolled (vectorises over j); same operations in the same order.
          let (x0, x1, x2, x3) = (first, first + slab, first + 2 * slab, first + 3 * slab)
          for j in 0..<slab {
            var sum = 0.0
            sum += x0[j]
            sum += x1[j]
            sum += x2[j]
            sum += x3[j]
            let shared = beta * sum
            x0[j] = alpha * x0[j] + shared
            x1[j] = alpha * x1[j] + shared
            x2[j] = alpha * x2[j] + shared
            x3[j] = alpha * x3[j] + shared
          }
          block += slab * q
          continue
        }
        for j in 0..<slab {
          var sum = 0.0
          for k in 0..<q { sum += first[k * slab + j] }
          let shared = beta * sum
          for k in 0..<q { first[k * slab + j] = alpha * first[k * slab + j] + shared }
        }
        block += slab * q
      }
      stride = max(1, stride / q)
    }
  }
  if highAxes > 0 {
    let stripWidth = 16
    let strips = (rowLength + stripWidth - 1) / stripWidth
    parallelFor(strips, threadCount: threadCount) { strip in
      let column = strip * stripWidth
      let width = min(stripWidth, rowLength - column)
      let local = UnsafeMutablePointer<Double>.allocate(capacity: rows * width)
      defer { local.deallocate() }
      // Element loops, not memmove: one call per 128 bytes would cost more than the copy.
      for row in 0..<rows {
        let source = vector.base + row * rowLength + column
        let target = local + row * width
        for c in 0..<width { target[c] = source[c] }
      }
      applyAxes(local, units: rows, unitWidth: width, axes: highAxes)
      for row in 0..<rows {
        let source = local + row * width
        let target = vector.base + row * rowLength + column
        for c in 0..<width { target[c] = source[c] }
      }
    }
  }
  let rowsPerTask = max(1, 65_536 / rowLength)
  parallelFor((rows + rowsPerTask - 1) / rowsPerTask, threadCount: threadCount) { task in
    for row in (task * rowsPerTask)..<min(rows, (task + 1) * rowsPerTask) {
      applyAxes(vector.base + row * rowLength, units: rowLength, unitWidth: 1, axes: lowAxes)
    }
  }
}

/// Allocating convenience for tests.
func kroneckerPowerApply(
  _ matrix: [Double], alphabetSize q: Int, width n: Int, to vector: inout [Double]
) {
  var scratch = [Double](repeating: 0, count: vector.count)
  kroneckerPowerApply(matrix, alphabetSize: q, width: n, to: &vector, scratch: &scratch)
}

/// The base kernel a(s, t) = exp(−γ ‖e_s − e_t‖² / 2) on one-hot columns, as a q × q matrix:
/// 1 on the diagonal, exp(−γ) between two bases, exp(−γ/2) between a base and N (whose one-hot
/// column is zero). Row-major.
func baseKernel(gamma: Double, alphabetSize q: Int) -> [Double] {
  var a = [Double](repeating: _exp(-gamma), count: q * q)
  for s in 0..<q {
    for t in 0..<q where s == 4 || t == 4 { a[s * q + t] = _exp(-gamma / 2) }
    a[s * q + s] = 1
  }
  return a
}

/// The symmetric square root of a small symmetric positive semi-definite matrix (Jacobi
/// eigenvalue iterations; negative rounding-level eigenvalues are clamped to zero).
func symmetricSquareRoot(_ a: [Double], order q: Int) -> [Double] {
  var m = a
  var v = [Double](repeating: 0, count: q * q)
  for i in 0..<q { v[i * q + i] = 1 }
  for _ in 0..<100 {
    var off = 0.0
    for i in 0..<q { for j in 0..<q where i != j { off += m[i * q + j] * m[i * q + j] } }
    if off < 1e-30 { break }
    for p in 0..<q {
      for r in (p + 1)..<q where abs(m[p * q + r]) > 1e-300 {
        let theta = (m[r * q + r] - m[p * q + p]) / (2 * m[p * q + r])
        let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
        let c = 1 / (t * t + 1).squareRoot()
        let s = t * c
        for k in 0..<q {
          let mkp = m[k * q + p]
          let mkr = m[k * q + r]
          m[k * q + p] = c * mkp - s * mkr
          m[k * q + r] = s * mkp + c * mkr
        }
        for k in 0..<q {
          let mpk = m[p * q + k]
          let mrk = m[r * q + k]
          m[p * q + k] = c * mpk - s * mrk
          m[r * q + k] = s * mpk + c * mrk
        }
        for k in 0..<q {
          let vkp = v[k * q + p]
          let vkr = v[k * q + r]
          v[k * q + p] = c * vkp - s * vkr
          v[k * q + r] = s * vkp + c * vkr
        }
      }
    }
  }
  var root = [Double](repeating: 0, count: q * q)
  for k in 0..<q {
    let value = max(0, m[k * q + k]).squareRoot()
    for i in 0..<q {
      for j in 0..<q { root[i * q + j] += v[i * q + k] * value * v[j * q + k] }
    }
  }
  return root
}

/// q^n, the number of n-mers over a q-letter alphabet (the size of an n-mer table).
public func nmerCount(width: Int, alphabetSize: Int) -> Int {
  NmerIndexing(width: width, alphabetSize: alphabetSize).count
}
