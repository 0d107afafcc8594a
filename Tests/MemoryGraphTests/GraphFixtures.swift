@testable import MemoryGraph

/// Small graphs built by hand, with their figures worked out on paper.
enum GraphFixtures {
    /// x → a → (b, c) → d, weights w1 (read by a) and w2 (read by d):
    ///
    /// step 0 `op_a`: x, a      step 1 `op_b`: a, b
    /// step 2 `op_c`: a, c      step 3 `op_d`: b, c, d (d is the output)
    static func diamond() throws -> Graph {
        let tensors = [
            Tensor(name: "x", kind: .input, bytes: 100),
            Tensor(name: "w1", kind: .weight, bytes: 1000),
            Tensor(name: "w2", kind: .weight, bytes: 2000),
            Tensor(name: "a", kind: .activation, bytes: 10),
            Tensor(name: "b", kind: .activation, bytes: 20),
            Tensor(name: "c", kind: .activation, bytes: 30),
            Tensor(name: "d", kind: .activation, bytes: 40),
        ]
        let operators = [
            Operator(name: "op_a", type: "Conv", inputs: [0, 1], outputs: [3]),
            Operator(name: "op_b", type: "Relu", inputs: [3], outputs: [4]),
            Operator(name: "op_c", type: "Relu", inputs: [3], outputs: [5]),
            Operator(name: "op_d", type: "Add", inputs: [4, 5, 2], outputs: [6]),
        ]
        return try Graph(name: "diamond", tensors: tensors, operators: operators, outputs: [6])
    }
}

/// A seeded generator so randomized tests repeat exactly (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
