import CKSCore

/// The cks model file: a plain-text header, a blank line, then binary float32 arrays.
///
/// ```
/// cks-model<TAB>2                   magic and format version
/// kernel<TAB>exact                  key<TAB>value lines: the kernel, strand, every
/// filter-width<TAB>8                hyperparameter (and for the random kernel M and the seed),
/// ...                               the intercept (shortest round-trip decimal), a training summary
/// table<TAB>float32-le<TAB>65536    the n-mer score table (q^n entries)
/// weights<TAB>float32-le<TAB>8192   random kernel only: the M ridge weights
/// checksum<TAB>crc32:1a2b3c4d       CRC-32 of every header line above plus all binary bytes
/// (blank line)
/// table, then weights, as little-endian float32
/// ```
/// Random-kernel models keep their weights and seed so windows with N can be scored from the
/// filters; their table is stored when n ≤ 10 (else scoring uses the filters directly).
/// Version 1 files (random kernel, weights only) are still read.
public enum ModelFile {
  /// The format version this build writes and the newest it reads.
  public static let formatVersion = 2
  static let magic = "cks-model"

  /// Writes `model` to `path` atomically. `summary` adds informational `key value` lines
  /// (keys without tabs or newlines).
  public static func write(
    _ model: TrainedModel, summary: [(String, String)] = [], threadCount: Int = 1,
    to path: String
  ) throws(InputError) {
    var lines = [
      "\(magic)\t\(formatVersion)",
      "kernel\t\(model.kernel.rawValue)",
      "strand\t\(model.strand.rawValue)",
      "filter-width\t\(model.filterWidth)",
      "gamma\t\(model.gamma)",
      "lambda\t\(model.penalty)",
    ]
    var payload = [UInt8]()
    func requireFinite(_ values: [Float], _ name: String) throws(InputError) {
      if let bad = values.firstIndex(where: { !$0.isFinite }) {
        throw InputError(
          path: path,
          reason: .model(
            "refusing to write a model whose \(name) value \(bad) is \(values[bad]) "
              + "(the fit overflowed; use a larger --lambda)"))
      }
    }
    switch model {
    case .random(let random):
      try requireFinite(random.ridge.weights + [random.ridge.intercept], "weight")
      lines += [
        "alphabet\tACGT",
        "feature-count\t\(random.featureCount)",
        "seed\t\(random.seed)",
        "intercept\t\(random.ridge.intercept)",
      ]
      lines += summary.map { "\($0.0)\t\($0.1)" }
      if random.filterWidth <= NmerTable.maximumWidth {
        let table = NmerTable(model: random, threadCount: threadCount).values
        try requireFinite(table, "n-mer table")
        lines.append("table\tfloat32-le\t\(table.count)")
        payload += floatBytes(table)
      }
      lines.append("weights\tfloat32-le\t\(random.featureCount)")
      payload += floatBytes(random.ridge.weights)
    case .exact(let exact):
      try requireFinite(exact.table + [exact.intercept], "n-mer table")
      lines += [
        "alphabet\t\(exact.alphabetSize == 4 ? "ACGT" : "ACGTN")",
        "intercept\t\(exact.intercept)",
      ]
      lines += summary.map { "\($0.0)\t\($0.1)" }
      lines.append("table\tfloat32-le\t\(exact.table.count)")
      payload += floatBytes(exact.table)
    }
    var header = Array((lines.joined(separator: "\n") + "\n").utf8)
    let crc = Zlib.crc32(payload, continuing: Zlib.crc32(header))
    header += Array("checksum\tcrc32:\(hex(crc))\n\n".utf8)
    try OutputFile.write(header + payload, to: path)
  }

  /// A model read from a file, with the prepared scorer inputs.
  public struct Contents: Sendable {
    /// The model.
    public var model: TrainedModel
    /// The stored n-mer table, if any.
    public var table: [Float]?
    /// Every header field (summary lines included).
    public var fields: [String: String]

    /// A scorer that uses the stored table when there is one.
    public func scorer(threadCount: Int = 1) -> CKSModel.Scorer {
      if case .random(let random) = model, let table {
        return CKSModel.Scorer(model: random, table: NmerTable(model: random, values: table))
      }
      return model.scorer(threadCount: threadCount)
    }
  }

  /// Reads a model.
  /// - Throws: `InputError` for a missing, truncated, corrupted or newer-version file.
  public static func read(path: String) throws(InputError) -> Contents {
    let bytes = try readAll(path)
    func fail(_ why: String, line: Int? = nil) -> InputError {
      InputError(path: path, line: line, reason: .model(why))
    }
    var fields = [String: String]()
    var headerEnd = 0
    var lineNumber = 0
    var checksumLineStart = 0
    var position = 0
    var sawBlank = false
    var version = 0
    while position < bytes.count {
      guard let newline = bytes[position...].firstIndex(of: UInt8(ascii: "\n")) else { break }
      lineNumber += 1
      let line = String(decoding: bytes[position..<newline], as: UTF8.self)
      if lineNumber == 1 {
        let parts = line.split(separator: "\t")
        guard parts.count == 2, parts[0] == magic else {
          throw fail("not a cks model file (first line must be 'cks-model<TAB>VERSION')", line: 1)
        }
        guard let number = Int(parts[1]), number >= 1 else {
          throw fail("bad format version '\(parts[1])'", line: 1)
        }
        guard number <= formatVersion else {
          throw fail(
            "model format version \(number) is newer than this cks reads (\(formatVersion)); "
              + "upgrade cks", line: 1)
        }
        version = number
        fields["format"] = String(number)
      } else if line.isEmpty {
        headerEnd = newline + 1
        sawBlank = true
        break
      } else {
        guard let tab = line.firstIndex(of: "\t") else {
          throw fail("header line is not 'key<TAB>value'", line: lineNumber)
        }
        let key = String(line[..<tab])
        if key == "checksum" { checksumLineStart = position }
        fields[key] = String(line[line.index(after: tab)...])
      }
      position = newline + 1
    }
    guard sawBlank else { throw fail("truncated model file: header has no end (blank line)") }
    func value<T>(_ key: String, _ parse: (String) -> T?) throws(InputError) -> T {
      guard let text = fields[key] else { throw fail("missing header field '\(key)'") }
      guard let parsed = parse(text) else { throw fail("bad value '\(text)' for '\(key)'") }
      return parsed
    }
    func arrayCount(_ key: String) throws(InputError) -> Int? {
      guard fields[key] != nil else { return nil }
      return try value(key) { text in
        let parts = text.split(separator: "\t")
        // Bounded so that byte counts cannot overflow (a fuzzed header once asked for 6e18).
        guard parts.count == 2, parts[0] == "float32-le", let count = Int(parts[1]),
          (0...(1 << 40)).contains(count)
        else { return nil }
        return count
      }
    }
    let kernel: KernelKind = try value("kernel") { KernelKind(rawValue: $0) }
    let strand: Strand = version >= 2 ? try value("strand") { Strand(rawValue: $0) } : .forward
    let filterWidth: Int = try value("filter-width") {
      Int($0).flatMap { (1...32).contains($0) ? $0 : nil }
    }
    let gamma: Double = try value("gamma") {
      Double($0).flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
    }
    let penalty: Double = try value("lambda") {
      Double($0).flatMap { $0 >= 0 && $0.isFinite ? $0 : nil }
    }
    let intercept: Float = try value("intercept") { Float($0).flatMap { $0.isFinite ? $0 : nil } }
    let alphabet: Int =
      version >= 2 ? try value("alphabet") { $0 == "ACGT" ? 4 : ($0 == "ACGTN" ? 5 : nil) } : 4
    let tableCount = try arrayCount("table")
    let weightCount = try arrayCount("weights")
    let stored: String = try value("checksum") {
      $0.hasPrefix("crc32:") ? String($0.dropFirst(6)) : nil
    }
    let expectedBytes = 4 * ((tableCount ?? 0) + (weightCount ?? 0))
    let payload = Array(bytes[headerEnd...])
    guard payload.count == expectedBytes else {
      throw fail(
        "truncated or padded model file: \(payload.count) data bytes, expected \(expectedBytes)")
    }
    let crc = Zlib.crc32(payload, continuing: Zlib.crc32(Array(bytes[0..<checksumLineStart])))
    guard hex(crc) == stored else {
      throw fail(
        "checksum mismatch (stored crc32:\(stored), computed crc32:\(hex(crc))): the file is corrupted"
      )
    }
    if let tableCount {
      guard filterWidth <= ExactModel.maximumWidth else {
        throw fail("an n-mer table needs n <= \(ExactModel.maximumWidth), found n=\(filterWidth)")
      }
      let tableSize = nmerCount(width: filterWidth, alphabetSize: alphabet)
      guard tableCount == tableSize else {
        throw fail("table has \(tableCount) entries; n=\(filterWidth) needs \(tableSize)")
      }
    }
    let floats = try decodeFloats(payload, path: path)
    let table = tableCount.map { Array(floats[0..<$0]) }
    switch kernel {
    case .random:
      let featureCount: Int = try value("feature-count") { Int($0).flatMap { $0 >= 1 ? $0 : nil } }
      let seed: UInt64 = try value("seed") { UInt64($0) }
      guard let weightCount, weightCount == featureCount else {
        throw fail("weights count \(weightCount ?? 0) does not match feature-count \(featureCount)")
      }
      let weights = Array(floats[(tableCount ?? 0)...])
      let model = CKSModel(
        filterWidth: filterWidth, featureCount: featureCount, gamma: gamma, seed: seed,
        ridge: RidgeModel(penalty: penalty, weights: weights, intercept: intercept), strand: strand)
      return Contents(model: .random(model), table: table, fields: fields)
    case .exact:
      guard let table else { throw fail("exact-kernel model without a table") }
      let model = ExactModel(
        filterWidth: filterWidth, alphabetSize: alphabet, gamma: gamma, penalty: penalty,
        strand: strand, table: table, intercept: intercept)
      return Contents(model: .exact(model), table: table, fields: fields)
    }
  }

  static func decodeFloats(_ payload: [UInt8], path: String) throws(InputError) -> [Float] {
    var values = [Float](repeating: 0, count: payload.count / 4)
    for j in values.indices {
      var bits: UInt32 = 0
      for k in 0..<4 { bits |= UInt32(payload[4 * j + k]) << (8 * k) }
      values[j] = Float(bitPattern: bits)
      guard values[j].isFinite else {
        throw InputError(path: path, reason: .model("stored value \(j) is not finite"))
      }
    }
    return values
  }

  static func floatBytes(_ weights: [Float]) -> [UInt8] {
    var bytes = [UInt8]()
    bytes.reserveCapacity(weights.count * 4)
    for weight in weights {
      let bits = weight.bitPattern
      for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * k))) }
    }
    return bytes
  }

  static func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
  }

  static func readAll(_ path: String) throws(InputError) -> [UInt8] {
    let reader = try RawFile(path: path)
    return try reader.readAll()
  }
}
