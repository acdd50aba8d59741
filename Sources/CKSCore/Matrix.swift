/// A dense row-major `Float` matrix: `values[row * columnCount + column]`.
public struct Matrix: Sendable, Equatable {
  /// Number of rows.
  public let rowCount: Int
  /// Number of columns.
  public let columnCount: Int
  /// Row-major storage, `rowCount × columnCount` values.
  public var values: [Float]

  /// Creates a matrix filled with `value`.
  public init(rowCount: Int, columnCount: Int, repeating value: Float = 0) {
    precondition(
      rowCount >= 0 && columnCount >= 0, "negative matrix shape \(rowCount)×\(columnCount)")
    self.rowCount = rowCount
    self.columnCount = columnCount
    values = [Float](repeating: value, count: rowCount * columnCount)
  }

  /// Creates a matrix from row-major values.
  public init(rowCount: Int, columnCount: Int, values: [Float]) {
    precondition(
      values.count == rowCount * columnCount,
      "\(values.count) values for a \(rowCount)×\(columnCount) matrix")
    self.rowCount = rowCount
    self.columnCount = columnCount
    self.values = values
  }

  /// The element at (row, column).
  public subscript(row: Int, column: Int) -> Float {
    get { values[row * columnCount + column] }
    set { values[row * columnCount + column] = newValue }
  }

  /// A copy of one row.
  public func row(_ row: Int) -> [Float] {
    Array(values[(row * columnCount)..<((row + 1) * columnCount)])
  }
}

/// A pointer that may cross into `concurrentPerform` closures; each task writes disjoint rows.
struct SendablePointer<Element>: @unchecked Sendable {
  let base: UnsafeMutablePointer<Element>
}
