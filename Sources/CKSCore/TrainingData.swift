/// Consecutive labelled training sequences handed out by a `TrainingData`.
public struct TrainingBatch: Sendable {
  /// Index of the first sequence in the whole set.
  public var firstIndex = 0
  public var sequences: [DNASequence] = []
  public var labels: [Bool] = []
  /// Group ordinal of each sequence: 0, 1, 2, … in order of first appearance; members of a
  /// group (a positive and its shuffles) are adjacent.
  public var groups: [Int] = []

  public init() {}

  /// Number of sequences.
  public var count: Int { sequences.count }
}

/// A training set that can be read in order, in batches, as often as training needs.
///
/// Implementations either hold the sequences (`InMemoryTrainingData`, 2 bits per base) or
/// re-read them from files on every pass, so random-feature training needs memory independent
/// of the number of sequences.
public protocol TrainingData: Sendable {
  /// Number of sequences.
  var count: Int { get }
  /// Number of positives among them.
  var positiveCount: Int { get }
  /// Number of groups (sequences that must stay on one side of the hold-out split).
  var groupCount: Int { get }
  /// Total bases (for reserving packed storage).
  var baseCount: Int { get }
  /// Calls `body` with consecutive batches of at most `size` sequences, in the same order and
  /// with the same contents on every call.
  func forEachBatch(size: Int, _ body: (TrainingBatch) throws -> Void) throws
}

/// Training sequences held in memory at 2 bits per base, with label and group-start bits.
public struct InMemoryTrainingData: TrainingData {
  public private(set) var sequences: PackedSequences
  public private(set) var labels: BitVector
  /// Set where a sequence starts a new group.
  public private(set) var groupStarts: BitVector
  public private(set) var positiveCount = 0
  public private(set) var groupCount = 0

  /// An empty set with room for `sequences` sequences of `bases` bases in total.
  public init(reservingSequences count: Int = 0, bases: Int = 0) {
    sequences = PackedSequences(reservingBases: bases)
    labels = BitVector(capacity: count)
    groupStarts = BitVector(capacity: count)
  }

  /// Sequences with labels and group ids of any kind: equal ids are one group. Groups are
  /// stored in order of first appearance, members kept in their input order.
  public init(sequences: [DNASequence], labels: [Bool], groups: [Int]) {
    precondition(sequences.count == labels.count && labels.count == groups.count, "length mismatch")
    self.init(reservingSequences: sequences.count, bases: sequences.reduce(0) { $0 + $1.count })
    var firstSeen = [Int: Int]()
    for (index, group) in groups.enumerated() where firstSeen[group] == nil {
      firstSeen[group] = index
    }
    let order = sequences.indices.sorted {
      (firstSeen[groups[$0]]!, $0) < (firstSeen[groups[$1]]!, $1)
    }
    var previous: Int?
    for index in order {
      append(sequences[index], label: labels[index], startsGroup: groups[index] != previous)
      previous = groups[index]
    }
  }

  /// Appends one sequence; `startsGroup` is forced for the first one.
  public mutating func append(_ sequence: DNASequence, label: Bool, startsGroup: Bool) {
    sequence.codes.withUnsafeBufferPointer { append($0, label: label, startsGroup: startsGroup) }
  }

  /// Appends one sequence given as codes 0...4.
  public mutating func append(
    _ codes: UnsafeBufferPointer<UInt8>, label: Bool, startsGroup: Bool
  ) {
    let starts = startsGroup || sequences.count == 0
    sequences.append(codes)
    labels.append(label)
    groupStarts.append(starts)
    if label { positiveCount += 1 }
    if starts { groupCount += 1 }
  }

  public var count: Int { sequences.count }
  public var baseCount: Int { sequences.baseCount }

  public func forEachBatch(size: Int, _ body: (TrainingBatch) throws -> Void) throws {
    var group = -1
    var start = 0
    while start < count {
      var batch = TrainingBatch()
      batch.firstIndex = start
      for index in start..<min(count, start + size) {
        if groupStarts[index] { group += 1 }
        batch.sequences.append(sequences[index])
        batch.labels.append(labels[index])
        batch.groups.append(group)
      }
      try body(batch)
      start += batch.count
    }
  }

  /// Copies any training data into memory.
  public init(_ data: some TrainingData) throws {
    if let data = data as? InMemoryTrainingData {
      self = data
      return
    }
    self.init(reservingSequences: data.count, bases: data.baseCount)
    var previous = -1
    try data.forEachBatch(size: 4096) { batch in
      for i in 0..<batch.count {
        append(batch.sequences[i], label: batch.labels[i], startsGroup: batch.groups[i] != previous)
        previous = batch.groups[i]
      }
    }
  }
}
