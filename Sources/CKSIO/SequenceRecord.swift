import CKSCore

/// One input sequence with its name and, where the format has one, its label.
public struct SequenceRecord: Sendable, Equatable {
  /// Identifier: DeepBind EventID, FASTA name (first word), or the BED window `chrom:start-end`
  /// (0-based, half-open) unless the BED name column is set.
  public var id: String
  /// The bases.
  public var sequence: DNASequence
  /// DeepBind `Bound` (true = 1); nil for FASTA and BED.
  public var label: Bool?

  public init(id: String, sequence: DNASequence, label: Bool? = nil) {
    self.id = id
    self.sequence = sequence
    self.label = label
  }
}

/// The sequence file formats cks reads.
public enum SequenceFormat: String, Sendable, CaseIterable {
  /// DeepBind TSV: header `FoldID EventID seq Bound`, plain or gzip.
  case deepbind
  /// FASTA, plain, gzip or bgzip.
  case fasta
  /// BED or narrowPeak intervals, cut from a reference genome.
  case bed
}
