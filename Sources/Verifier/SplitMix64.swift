/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, well-mixed 64-bit
/// generator. The verifier uses it for treap priorities and, through
/// `mix`, for the byte patterns of real-memory mode, where random access
/// matters: word `i` of a pattern is `mix(seed &+ i)`.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 output function: a bijection on 64-bit words.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
