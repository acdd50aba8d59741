import COpenBLAS

/// The core's one door to OpenBLAS (BLAS + LAPACK). Each function wraps exactly one C routine.
enum BLAS {
  /// Sets OpenBLAS's own thread count. Calls `openblas_set_num_threads`.
  static func setThreadCount(_ count: Int) {
    openblas_set_num_threads(Int32(max(1, count)))
  }

  /// Upper triangle (row-major) of C ← C + Aᵀ A, A row-major `rowCount × columnCount`,
  /// C `columnCount × columnCount`. Calls `cblas_ssyrk`.
  static func addGram(
    of a: UnsafePointer<Float>, rowCount: Int, columnCount: Int, into c: UnsafeMutablePointer<Float>
  ) {
    cblas_ssyrk(
      CblasRowMajor, CblasUpper, CblasTrans, blasint(columnCount), blasint(rowCount), 1, a,
      blasint(columnCount), 1, c, blasint(columnCount))
  }

  /// y ← A x, A row-major `rowCount × columnCount`. Calls `cblas_sgemv`.
  static func multiply(
    _ a: UnsafePointer<Float>, rowCount: Int, columnCount: Int, by x: UnsafePointer<Float>,
    into y: UnsafeMutablePointer<Float>
  ) {
    cblas_sgemv(
      CblasRowMajor, CblasNoTrans, blasint(rowCount), blasint(columnCount), 1, a,
      blasint(columnCount), x, 1, 0, y, 1)
  }

  /// Cholesky factorisation of a symmetric matrix whose row-major upper triangle is set (the
  /// column-major lower triangle LAPACK sees). Returns LAPACK's `info` (0, or the order of the
  /// first non-positive leading minor). Calls `spotrf_`.
  static func choleskyFactor(_ a: UnsafeMutablePointer<Float>, order: Int) -> Int {
    var uplo = CChar(UInt8(ascii: "L"))
    var n = Int32(order)
    var lda = Int32(order)
    var info: Int32 = 0
    spotrf_(&uplo, &n, a, &lda, &info, 1)
    return Int(info)
  }

  /// Solves A x = b in place in `b` from `choleskyFactor`'s output. Calls `spotrs_`.
  static func choleskySolve(
    _ factor: UnsafePointer<Float>, order: Int, rightHandSide b: UnsafeMutablePointer<Float>
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
