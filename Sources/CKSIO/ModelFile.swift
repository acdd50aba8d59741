import CKSCore

/// The cks model file: a plain-text header, a blank line, then the weights.
///
/// ```
/// cks-model<TAB>1                  magic and format version
/// kernel<TAB>random                key<TAB>value lines: every hyperparameter, the seed,
/// filter-width<TAB>8               the intercept (shortest round-trip decimal) and a
/// ...                              training summary
/// weights<TAB>float32-le<TAB>8192  encoding and count of the weights
/// checksum<TAB>crc32:1a2b3c4d      CRC-32 of every header line above plus the weight bytes
/// (blank line)
/// 8192 little-endian float32 weights
/// ```
/// `predict` redraws the filters from (n, M, γ, seed), so the file holds only M weights.
public enum ModelFile {
  /// The format version this build writes and the newest it reads.
  public static let formatVersion = 1
  static let magic = "cks-model"

  /// Writes `model` to `path` atomically.
  ///
  /// `summary` adds informational `key value` lines
  /// (keys without tabs or newlines).
  public static func write(
    _ model: CKSModel, summary: [(String, String)] = [], to path: String
  ) throws(InputError) {
    var lines = [
      "\(magic)\t\(formatVersion)",
      "kernel\trandom",
      "filter-width\t\(model.filterWidth)",
      "feature-count\t\(model.featureCount)",
      "gamma\t\(model.gamma)",
      "lambda\t\(model.ridge.penalty)",
      "seed\t\(model.seed)",
      "intercept\t\(model.ridge.intercept)",
    ]
    lines += summary.map { "\($0.0)\t\($0.1)" }
    lines.append("weights\tfloat32-le\t\(model.featureCount)")
    var header = Array((lines.joined(separator: "\n") + "\n").utf8)
    let payload = weightBytes(model.ridge.weights)
    let crc = Zlib.crc32(payload, continuing: Zlib.crc32(header))
    header += Array("checksum\tcrc32:\(hex(crc))\n\n".utf8)
    try OutputFile.write(header + payload, to: path)
  }

  /// Reads a model.
  /// - Returns: the model and every header field (summary lines included).
  /// - Throws: `InputError` for a missing, truncated, corrupted or newer-version file.
  public static func read(path: String) throws(InputError) -> (
    model: CKSModel, fields: [String: String]
  ) {
    let bytes = try readAll(path)
    func fail(_ why: String, line: Int? = nil) -> InputError {
      InputError(path: path, line: line, reason: .model(why))
    }
    // Split the header at the first blank line.
    var fields = [String: String]()
    var headerEnd = 0
    var lineNumber = 0
    var checksumLineStart = 0
    var position = 0
    var sawBlank = false
    while position < bytes.count {
      guard let newline = bytes[position...].firstIndex(of: UInt8(ascii: "\n")) else { break }
      lineNumber += 1
      let line = String(decoding: bytes[position..<newline], as: UTF8.self)
      if lineNumber == 1 {
        let parts = line.split(separator: "\t")
        guard parts.count == 2, parts[0] == magic else {
          throw fail("not a cks model file (first line must be 'cks-model<TAB>VERSION')", line: 1)
        }
        guard let version = Int(parts[1]), version >= 1 else {
          throw fail("bad format version '\(parts[1])'", line: 1)
        }
        guard version <= formatVersion else {
          throw fail(
            "model format version \(version) is newer than this cks reads (\(formatVersion)); upgrade cks",
            line: 1)
        }
        fields["format"] = String(version)
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
    guard fields["kernel"] == "random" else {
      throw fail("unknown kernel '\(fields["kernel"] ?? "")'")
    }
    let filterWidth: Int = try value("filter-width") { Int($0).flatMap { $0 >= 1 ? $0 : nil } }
    let featureCount: Int = try value("feature-count") { Int($0).flatMap { $0 >= 1 ? $0 : nil } }
    let gamma: Double = try value("gamma") {
      Double($0).flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
    }
    let penalty: Double = try value("lambda") {
      Double($0).flatMap { $0 >= 0 && $0.isFinite ? $0 : nil }
    }
    let seed: UInt64 = try value("seed") { UInt64($0) }
    let intercept: Float = try value("intercept") { Float($0).flatMap { $0.isFinite ? $0 : nil } }
    let weightCount: Int = try value("weights") { text in
      let parts = text.split(separator: "\t")
      return parts.count == 2 && parts[0] == "float32-le" ? Int(parts[1]) : nil
    }
    guard weightCount == featureCount else {
      throw fail("weights count \(weightCount) does not match feature-count \(featureCount)")
    }
    let stored: String = try value("checksum") {
      $0.hasPrefix("crc32:") ? String($0.dropFirst(6)) : nil
    }
    let payload = Array(bytes[headerEnd...])
    guard payload.count == 4 * featureCount else {
      throw fail(
        "truncated or padded model file: \(payload.count) weight bytes, expected \(4 * featureCount)"
      )
    }
    let crc = Zlib.crc32(payload, continuing: Zlib.crc32(Array(bytes[0..<checksumLineStart])))
    guard hex(crc) == stored else {
      throw fail(
        "checksum mismatch (stored crc32:\(stored), computed crc32:\(hex(crc))): the file is corrupted"
      )
    }
    var weights = [Float](repeating: 0, count: featureCount)
    for j in 0..<featureCount {
      var bits: UInt32 = 0
      for k in 0..<4 { bits |= UInt32(payload[4 * j + k]) << (8 * k) }
      weights[j] = Float(bitPattern: bits)
      guard weights[j].isFinite else { throw fail("weight \(j) is not finite") }
    }
    let model = CKSModel(
      filterWidth: filterWidth, featureCount: featureCount, gamma: gamma, seed: seed,
      ridge: RidgeModel(penalty: penalty, weights: weights, intercept: intercept))
    return (model, fields)
  }

  static func weightBytes(_ weights: [Float]) -> [UInt8] {
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
