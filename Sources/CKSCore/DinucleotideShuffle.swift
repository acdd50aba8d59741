/// Dinucleotide-preserving shuffles.
///
/// Altschul and Erickson 1985, "Significance of nucleotide sequence alignments",
/// Mol. Biol. Evol. 2:526-538.
///
/// The result has exactly the dinucleotide counts of the input and the same first and last base.
/// It is a uniformly random Eulerian path in the multigraph whose vertices are bases and whose
/// edges are the input's consecutive pairs: pick a random last exit edge for every base but the
/// final one, retry until those edges form a tree into the final base, shuffle the other exits,
/// then walk. Codes are treated as opaque symbols (N is a fifth letter).
public enum DinucleotideShuffle {
  /// A dinucleotide shuffle of `codes` (values 0...4), drawn from `generator`.
  /// - Complexity: O(L) expected.
  public static func shuffle(
    _ codes: [UInt8], using generator: inout some RandomNumberGenerator
  ) -> [UInt8] {
    let length = codes.count
    guard length > 2 else { return codes }
    let alphabet = 5
    var exits = [[UInt8]](repeating: [], count: alphabet)
    for i in 0..<(length - 1) { exits[Int(codes[i])].append(codes[i + 1]) }
    let last = Int(codes[length - 1])
    var lastExit = [Int](repeating: -1, count: alphabet)
    while true {
      for v in 0..<alphabet where v != last && !exits[v].isEmpty {
        lastExit[v] = generator.nextIndex(below: exits[v].count)
      }
      if formsTree(exits: exits, lastExit: lastExit, root: last) { break }
    }
    for v in 0..<alphabet where !exits[v].isEmpty {
      var edges = exits[v]
      var tail: UInt8?
      if v != last {
        tail = edges.remove(at: lastExit[v])
      }
      var i = edges.count - 1
      while i > 0 {
        edges.swapAt(i, generator.nextIndex(below: i + 1))
        i -= 1
      }
      if let tail { edges.append(tail) }
      exits[v] = edges
    }
    var used = [Int](repeating: 0, count: alphabet)
    var result = [UInt8]()
    result.reserveCapacity(length)
    var current = Int(codes[0])
    result.append(codes[0])
    for _ in 1..<length {
      let next = exits[current][used[current]]
      used[current] += 1
      result.append(next)
      current = Int(next)
    }
    return result
  }

  /// `shuffleCount` shuffles of each sequence, in order (all of sequence 0's first).
  ///
  /// Shuffle k of sequence i uses its own generator, seeded by (seed, i · shuffleCount + k), so
  /// the result is the same for every thread count.
  /// `firstItem` offsets the item numbers, so a set shuffled in batches gets the same shuffles as
  /// in one call (`firstItem` = number of sequences before the batch).
  public static func shuffles(
    of sequences: [DNASequence], count shuffleCount: Int, seed: UInt64, firstItem: Int = 0,
    threadCount: Int = 1
  ) -> [DNASequence] {
    let total = sequences.count * shuffleCount
    var result = [DNASequence](repeating: DNASequence(codes: []), count: total)
    let block = 256
    result.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      let destination = SendablePointer(base: base)
      parallelFor((total + block - 1) / block, threadCount: threadCount) { b in
        for item in (b * block)..<min(total, (b + 1) * block) {
          var generator = SplitMix64(
            seed: seed, stream: shuffleStream, index: UInt64(firstItem * shuffleCount + item))
          let codes = shuffle(sequences[item / shuffleCount].codes, using: &generator)
          destination.base[item] = DNASequence(uncheckedCodes: codes)
        }
      }
    }
    return result
  }

  /// Stream id of shuffle generators ("SHUF").
  static let shuffleStream: UInt64 = 0x5348_5546

  /// Whether every vertex's chosen last exit leads to `root` without a cycle.
  private static func formsTree(exits: [[UInt8]], lastExit: [Int], root: Int) -> Bool {
    for start in exits.indices where start != root && !exits[start].isEmpty {
      var v = start
      var steps = 0
      while v != root {
        v = Int(exits[v][lastExit[v]])
        steps += 1
        if steps > exits.count { return false }
      }
    }
    return true
  }
}
