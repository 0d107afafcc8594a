/// xorshift64*: the searches' only source of randomness (hash keys of
/// operators, the order in which alternatives are tried), seeded so that
/// every run on the same graph does the same work.
struct SearchRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 0x2545_F491_4F6C_DD1D : seed }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}
