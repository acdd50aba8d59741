/// A problem with a user's input file, with where it was found.
///
/// Renders as `path:line: record 'name': reason`, e.g.
/// `data/ctcf.fa:1207: record 'chr1:100-201': invalid base 'J' at column 7`.
public struct InputError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file (`-` for standard input).
  public var path: String
  /// 1-based line number, when the problem sits on one line.
  public var line: Int?
  /// The record's name (FASTA header, DeepBind EventID, BED interval), when there is one.
  public var record: String?
  /// What is wrong.
  public var reason: Reason

  /// What is wrong with an input.
  public enum Reason: Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(String)
    case readFailed(String)
    case empty
    case unknownFormat
    case badHeader(expected: String, found: String)
    case columnCount(expected: String, found: Int)
    case badLabel(String)
    case invalidBase(character: String, column: Int)
    case emptySequence
    case sequenceBeforeHeader
    case badCoordinate(String)
    case startNotBeforeEnd(start: Int, end: Int)
    case unknownChromosome(String)
    case offChromosome(chromosome: String, start: Int, end: Int, length: Int)
    case genomeRequired
    case genome(String)
    case model(String)
    case other(String)

    public var description: String {
      switch self {
      case .cannotOpen(let why): "cannot open: \(why)"
      case .readFailed(let why): "read failed: \(why)"
      case .empty: "file is empty (no records)"
      case .unknownFormat:
        "cannot tell the format from the first line (not DeepBind, FASTA or BED); use --format"
      case .badHeader(let expected, let found):
        "bad header '\(found.prefix(80))', expected '\(expected)'"
      case .columnCount(let expected, let found): "expected \(expected) columns, found \(found)"
      case .badLabel(let value): "Bound must be 0 or 1, found '\(value.prefix(40))'"
      case .invalidBase(let character, let column):
        "invalid base '\(character)' at column \(column) (allowed: ACGT, IUPAC codes, N; any case)"
      case .emptySequence: "empty sequence"
      case .sequenceBeforeHeader: "sequence line before the first '>' header"
      case .badCoordinate(let value):
        "coordinate '\(value.prefix(40))' is not a non-negative integer"
      case .startNotBeforeEnd(let start, let end): "start \(start) is not before end \(end)"
      case .unknownChromosome(let name): "chromosome '\(name)' is not in the genome"
      case .offChromosome(let chromosome, let start, let end, let length):
        "window \(chromosome):\(start)-\(end) runs off the chromosome (length \(length))"
      case .genomeRequired: "BED input needs a reference genome: add --genome FILE.fa"
      case .genome(let why): why
      case .model(let why): why
      case .other(let why): why
      }
    }
  }

  public init(path: String, line: Int? = nil, record: String? = nil, reason: Reason) {
    self.path = path
    self.line = line
    self.record = record
    self.reason = reason
  }

  public var description: String {
    var text = path
    if let line { text += ":\(line)" }
    text += ": "
    if let record { text += "record '\(record)': " }
    return text + reason.description
  }
}
