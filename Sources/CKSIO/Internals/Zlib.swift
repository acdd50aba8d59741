import CZlib

/// The CKSIO module's one door to zlib.
enum Zlib {
  /// CRC-32 of `bytes`, continuing from `crc`.
  ///
  /// Calls `crc32`.
  static func crc32(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
    bytes.withUnsafeBufferPointer { buffer in
      UInt32(CZlib.crc32(UInt(crc), buffer.baseAddress, UInt32(buffer.count)))
    }
  }
}
