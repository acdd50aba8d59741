import COpenBLAS

/// The core's one door to OpenBLAS (BLAS + LAPACK).
///
/// Each function wraps exactly one C routine.
enum BLAS {
  /// Sets OpenBLAS's own thread count.
  ///
  /// Calls `openblas_set_num_threads`.
  static func setThreadCount(_ count: Int) {
    openblas_set_num_threads(Int32(max(1, count)))
  }

  /// Adds the cross product of two column blocks of one row-major matrix.
  ///
  /// C ← C + Aᵀ B for X row-major `rowCount × ld`,
  /// A = X[:, aStart..<aStart+aCount], B = X[:, bStart..<bStart+bCount]; C row-major with leading
  /// dimension `ldc`. Calls `cblas_sgemm`.
  static func addCrossProduct(
    _ x: UnsafePointer<Float>, rowCount: Int, leadingDimension ld: Int,
    aStart: Int, aCount: Int, bStart: Int, bCount: Int,
    into c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, CblasTrans, CblasNoTrans, blasint(aCount), blasint(bCount), blasint(rowCount),
      1, x + aStart, blasint(ld), x + bStart, blasint(ld), 1, c, blasint(ldc))
  }

  /// Adds the Gram matrix of one column block of a row-major matrix (upper triangle).
  ///
  /// C ← C + Aᵀ A for A a column block of X (row-major `rowCount × ld`); C row-major with
  /// leading dimension `ldc`. Calls `cblas_ssyrk`.
  static func addBlockGram(
    _ x: UnsafePointer<Float>, rowCount: Int, leadingDimension ld: Int, start: Int, count: Int,
    into c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_ssyrk(
      CblasRowMajor, CblasUpper, CblasTrans, blasint(count), blasint(rowCount), 1, x + start,
      blasint(ld), 1, c, blasint(ldc))
  }

  /// y ← A x, A row-major `rowCount × columnCount`.
  ///
  /// Calls `cblas_sgemv`.
  static func multiply(
    _ a: UnsafePointer<Float>?, rowCount: Int, columnCount: Int, by x: UnsafePointer<Float>?,
    into y: UnsafeMutablePointer<Float>?
  ) {
    cblas_sgemv(
      CblasRowMajor, CblasNoTrans, blasint(rowCount), blasint(columnCount), 1, a,
      blasint(columnCount), x, 1, 0, y, 1)
  }

  /// Cholesky factorisation of a symmetric matrix whose row-major upper triangle is set (the
  /// column-major lower triangle LAPACK sees).
  ///
  /// Returns LAPACK's `info` (0, or the order of the
  /// first non-positive leading minor). Calls `spotrf_`.
  static func choleskyFactor(_ a: UnsafeMutablePointer<Float>?, order: Int) -> Int {
    var uplo = CChar(UInt8(ascii: "L"))
    var n = Int32(order)
    var lda = Int32(order)
    var info: Int32 = 0
    spotrf_(&uplo, &n, a, &lda, &info, 1)
    return Int(info)
  }

  /// Solves A x = b in place in `b` from `choleskyFactor`'s output.
  ///
  /// Calls `spotrs_`.
  static func choleskySolve(
    _ factor: UnsafePointer<Float>?, order: Int, rightHandSide b: UnsafeMutablePointer<Float>?
  ) -> Int {
    var uplo = CChar(UInt8(ascii: "L"))
    var n = Int32(order)
    var nrhs: Int32 = 1
    var lda = Int32(order)
    var ldb = Int32(order)
    var info: Int32 = 0
    spotrs_(&uplo, &n, &nrhs, factor, &lda, b, &ldb, &info, 1)
    return Int(info)
  }
}
