/// Seeded mutations of input files for hostile-input tests: the kinds of
/// damage files suffer (cut short, bytes flipped, pieces lost or repeated)
/// and, for text formats, numbers replaced by ones no sane file holds.
/// Deterministic for a seed, so a failure names the seed that reproduces it.
public struct InputMutator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    /// SplitMix64.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }

    /// Texts that replace a number: huge, negative, not finite, not a number.
    public static let hostileNumbers = [
        "-1", "0", "-9223372036854775808", "9223372036854775807", "4611686018427387904", "1e308", "-1e308", "1e-320",
        "NaN", "Infinity", "\"12\"", "null", "true", "[]", "{}", "99999999999999999999999", "0.5", "-0", "1e30",
    ]

    /// One mutation of `bytes`; `text` enables the number replacements.
    public mutating func mutate(_ bytes: [UInt8], text: Bool) -> [UInt8] {
        var b = bytes
        guard !b.isEmpty else { return [UInt8(truncatingIfNeeded: next())] }
        switch below(text ? 7 : 5) {
        case 0: // cut short
            b.removeLast(1 + below(b.count))
        case 1: // flip a few bytes
            for _ in 0 ..< 1 + below(6) { b[below(b.count)] ^= UInt8(1 + below(255)) }
        case 2: // lose a piece
            let at = below(b.count)
            b.removeSubrange(at ..< min(b.count, at + 1 + below(64)))
        case 3: // repeat a piece
            let at = below(b.count)
            let piece = b[at ..< min(b.count, at + 1 + below(256))]
            b.insert(contentsOf: piece, at: below(b.count + 1))
        case 4: // binary junk
            let at = below(b.count + 1)
            b.insert(contentsOf: (0 ..< 1 + below(32)).map { _ in UInt8(truncatingIfNeeded: next()) }, at: at)
        default: // a number replaced by a hostile one
            let starts = b.indices.filter { i in
                (b[i] >= 48 && b[i] <= 57) && (i == 0 || !(b[i - 1] >= 48 && b[i - 1] <= 57) && b[i - 1] != 46)
            }
            guard !starts.isEmpty else { return mutate(bytes, text: false) }
            let start = starts[below(starts.count)]
            var end = start
            while end < b.count, (b[end] >= 48 && b[end] <= 57) || b[end] == 46 || b[end] == 101 || b[end] == 45 { end += 1 }
            let replacement = Self.hostileNumbers[below(Self.hostileNumbers.count)]
            b.replaceSubrange(start ..< end, with: Array(replacement.utf8))
        }
        return b
    }
}
