import CKSCore

/// Training data read from files on every pass: positives (DeepBind, FASTA or BED), then
/// negatives from a second file, or `shuffleCount` dinucleotide shuffles right after each
/// positive, or the DeepBind file's own `Bound=0` rows.
///
/// Nothing is kept between passes, so random-feature training needs memory independent of the
/// file size. Standard input (`-`) cannot be read twice; it is read once into memory at 2 bits
/// per base.
public struct TrainingFiles: TrainingData {
  public let reader: SequenceReader
  public let positivesPath: String
  public let negativesPath: String?
  /// Shuffles per positive (0 when negatives come from a file or from `Bound=0` rows).
  public let shuffleCount: Int
  public let seed: UInt64
  public let threadCount: Int

  public private(set) var count = 0
  public private(set) var positiveCount = 0
  public private(set) var groupCount = 0
  public private(set) var baseCount = 0
  /// Rows of the positives file with `Bound=0`.
  public private(set) var fileNegativeCount = 0
  /// Length of the shortest sequence.
  public private(set) var shortestLength = Int.max
  /// The data when standard input was read.
  private var memory: InMemoryTrainingData?

  /// Reads the files once to validate and count them.
  /// - Parameter shuffles: shuffles per positive, used only when there are no negatives.
  /// - Throws: `InputError` naming the file, line and reason.
  public init(
    reader: SequenceReader, positives: String, negatives: String?, shuffles: Int, seed: UInt64,
    threadCount: Int
  ) throws(InputError) {
    self.reader = reader
    positivesPath = positives
    negativesPath = negatives
    self.seed = seed
    self.threadCount = threadCount
    var rows = 0
    var rowBases = 0
    var stored = InMemoryTrainingData()
    let keep = positives == "-" || negatives == "-"
    let positiveStream = try reader.open(path: positives)
    while let record = try positiveStream.next() {
      rows += 1
      rowBases += record.sequence.count
      shortestLength = min(shortestLength, record.sequence.count)
      if record.label == false { fileNegativeCount += 1 }
      if keep { stored.append(record.sequence, label: record.label ?? true, startsGroup: true) }
    }
    var negativeRows = 0
    var negativeBases = 0
    if let negatives {
      let negativeStream = try reader.open(path: negatives)
      while let record = try negativeStream.next() {
        negativeRows += 1
        negativeBases += record.sequence.count
        shortestLength = min(shortestLength, record.sequence.count)
        if keep { stored.append(record.sequence, label: false, startsGroup: true) }
      }
    }
    shuffleCount = negatives == nil && fileNegativeCount == 0 ? shuffles : 0
    positiveCount = rows - fileNegativeCount
    count = rows * (1 + shuffleCount) + negativeRows
    groupCount = rows + negativeRows
    baseCount = rowBases * (1 + shuffleCount) + negativeBases
    guard positiveCount > 0 else {
      throw InputError(path: positives, reason: .other("no positives (every row has Bound=0)"))
    }
    if keep {
      if shuffleCount == 0 {
        memory = stored
      } else {
        var interleaved = InMemoryTrainingData(reservingSequences: count, bases: baseCount)
        for index in 0..<stored.count {
          let positive = stored.sequences[index]
          interleaved.append(positive, label: true, startsGroup: true)
          for shuffled in DinucleotideShuffle.shuffles(
            of: [positive], count: shuffleCount, seed: seed, firstItem: index)
          {
            interleaved.append(shuffled, label: false, startsGroup: false)
          }
        }
        memory = interleaved
      }
    }
  }

  public func forEachBatch(size: Int, _ body: (TrainingBatch) throws -> Void) throws {
    if let memory {
      try memory.forEachBatch(size: size, body)
      return
    }
    var batch = TrainingBatch()
    var emitted = 0
    var group = 0
    func flush() throws {
      guard batch.count > 0 else { return }
      batch.firstIndex = emitted
      emitted += batch.count
      try body(batch)
      batch = TrainingBatch()
    }
    // Positives (and Bound=0 rows), each followed by its shuffles.
    let perRow = 1 + shuffleCount
    let rowsPerBatch = max(1, size / perRow)
    var rows = [SequenceRecord]()
    var rowIndex = 0
    func emitRows() throws {
      let shuffles =
        shuffleCount > 0
        ? DinucleotideShuffle.shuffles(
          of: rows.map(\.sequence), count: shuffleCount, seed: seed, firstItem: rowIndex,
          threadCount: threadCount) : []
      for (offset, record) in rows.enumerated() {
        batch.sequences.append(record.sequence)
        batch.labels.append(record.label ?? true)
        batch.groups.append(group)
        for k in 0..<shuffleCount {
          batch.sequences.append(shuffles[offset * shuffleCount + k])
          batch.labels.append(false)
          batch.groups.append(group)
        }
        group += 1
      }
      rowIndex += rows.count
      rows.removeAll(keepingCapacity: true)
      try flush()
    }
    try Self.forEachRecord(reader: reader, path: positivesPath) { record in
      rows.append(record)
      if rows.count == rowsPerBatch { try emitRows() }
    }
    try emitRows()
    if let negativesPath {
      try Self.forEachRecord(reader: reader, path: negativesPath) { record in
        batch.sequences.append(record.sequence)
        batch.labels.append(false)
        batch.groups.append(group)
        group += 1
        if batch.count == size { try flush() }
      }
      try flush()
    }
    guard emitted == count else {
      throw InputError(
        path: positivesPath,
        reason: .other("the file changed while training (\(emitted) sequences, expected \(count))"))
    }
  }

  /// Streams the records of `path`.
  private static func forEachRecord(
    reader: SequenceReader, path: String, _ body: (SequenceRecord) throws -> Void
  ) throws {
    let stream = try reader.open(path: path)
    while let record = try stream.next() { try body(record) }
  }
}
