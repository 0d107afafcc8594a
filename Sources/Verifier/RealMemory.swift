/// The byte arenas of real-memory mode, one per addressed tier, and the
/// deterministic patterns written into them.
///
/// A tensor's content is named by a 64-bit seed: word `i` of its bytes is
/// `SplitMix64.mix(seed &+ i &* φ)` (little-endian, the last word cut to
/// the tensor's length). Tiers without an arena (host memory, disk) hold a
/// tensor's content as its seed, which regenerates the bytes exactly, so
/// weights of any size cost no memory; every byte that sits in an arena is
/// real and is checked word by word against its seed's pattern when read.
///
/// Writing or checking a range costs O(bytes); memory is the sum of the
/// arena sizes, which the caller keeps under the mode's limit.
struct RealMemory {
    /// Arena bytes per tier index; empty for tiers without an arena.
    private var arenas: [[UInt8]]

    init(arenaSizes: [Int]) {
        arenas = arenaSizes.map { [UInt8](repeating: 0, count: max(0, $0)) }
    }

    func hasArena(_ tier: Int) -> Bool { !arenas[tier].isEmpty }

    /// Word `index` of the pattern named by `seed`.
    @inline(__always)
    static func word(_ seed: UInt64, _ index: Int) -> UInt64 {
        SplitMix64.mix(seed &+ UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Whether `[offset, offset + count)` lies inside the tier's arena.
    private func contains(_ tier: Int, _ offset: Int, _ count: Int) -> Bool {
        guard offset >= 0, count >= 0 else { return false }
        let (end, overflow) = offset.addingReportingOverflow(count)
        return !overflow && end <= arenas[tier].count
    }

    /// Writes the pattern of `seed` over `count` bytes at `offset`. Ranges
    /// outside the arena are ignored (the symbolic checks refuse them first).
    mutating func write(seed: UInt64, tier: Int, offset: Int, count: Int) {
        guard count > 0, contains(tier, offset, count) else { return }
        arenas[tier].withUnsafeMutableBytes { buffer in
            let words = count / 8
            for i in 0 ..< words {
                buffer.storeBytes(of: Self.word(seed, i).littleEndian, toByteOffset: offset + 8 * i, as: UInt64.self)
            }
            let tail = count % 8
            if tail > 0 {
                let last = Self.word(seed, words).littleEndian
                withUnsafeBytes(of: last) { bytes in
                    for j in 0 ..< tail { buffer[offset + 8 * words + j] = bytes[j] }
                }
            }
        }
    }

    /// The first byte address in `[offset, offset + count)` whose content
    /// differs from the pattern of `seed`, or nil when all match. A range
    /// outside the arena mismatches at `offset`.
    func firstDifference(seed: UInt64, tier: Int, offset: Int, count: Int) -> Int? {
        guard count > 0 else { return nil }
        guard contains(tier, offset, count) else { return offset }
        return arenas[tier].withUnsafeBytes { buffer -> Int? in
            let words = count / 8
            for i in 0 ..< words {
                let found = buffer.loadUnaligned(fromByteOffset: offset + 8 * i, as: UInt64.self)
                if UInt64(littleEndian: found) != Self.word(seed, i) {
                    let expected = Self.word(seed, i).littleEndian
                    return withUnsafeBytes(of: expected) { bytes in
                        (0 ..< 8).first { buffer[offset + 8 * i + $0] != bytes[$0] }.map { offset + 8 * i + $0 }
                    } ?? offset + 8 * i
                }
            }
            let tail = count % 8
            if tail > 0 {
                let last = Self.word(seed, words).littleEndian
                return withUnsafeBytes(of: last) { bytes in
                    (0 ..< tail).first { buffer[offset + 8 * words + $0] != bytes[$0] }.map { offset + 8 * words + $0 }
                }
            }
            return nil
        }
    }

    /// Copies `count` real bytes from one arena range to another (through a
    /// temporary buffer: two arenas cannot be borrowed at once).
    mutating func move(from source: Int, at sourceOffset: Int, to destination: Int, at destinationOffset: Int, count: Int) {
        guard count > 0, contains(source, sourceOffset, count), contains(destination, destinationOffset, count) else { return }
        let chunk = Array(arenas[source][sourceOffset ..< sourceOffset + count])
        arenas[destination].replaceSubrange(destinationOffset ..< destinationOffset + count, with: chunk)
    }

    /// The seed of a graph input's or weight's initial content.
    static func initialSeed(tensor: Int) -> UInt64 {
        SplitMix64.mix(0x1A7E_57A6_E000_0000 ^ UInt64(truncatingIfNeeded: tensor))
    }

    /// The seed of output `position` of operator `op`, given the seeds of
    /// what it read in order: any change in an input changes every output.
    static func outputSeed(op: Int, position: Int, readSeeds: [UInt64]) -> UInt64 {
        var hash = SplitMix64.mix(UInt64(truncatingIfNeeded: op) &* 0x100_0000_01B3 ^ UInt64(truncatingIfNeeded: position))
        for seed in readSeeds { hash = SplitMix64.mix(hash ^ seed) }
        return hash
    }
}
