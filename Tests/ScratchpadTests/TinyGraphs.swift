import MemoryGraph

/// Seeded tiny DAGs for exhaustive checks of the scratchpad planners: 4–6
/// operators, one or two graph inputs, weights on some operators, some
/// operators with two outputs, reads drawn from every tensor produced so far
/// (so tensors get several consumers and branches that can run in either
/// order), sizes 1–3 bytes. The same seed always gives the same graph.
enum TinyGraphs {
    /// SplitMix64: a tiny, well-mixed generator whose sequence depends only
    /// on the seed.
    struct Generator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        /// Uniform in `0 ..< bound` (bias negligible for tiny bounds).
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

        /// True with probability `numerator / denominator`.
        mutating func chance(_ numerator: Int, in denominator: Int) -> Bool { below(denominator) < numerator }
    }

    /// The graph for `seed`. Every input is read; every produced tensor that
    /// nothing reads is a graph output, and now and then an intermediate
    /// tensor is an output too (it must be stored although it is read later).
    static func graph(seed: UInt64) -> Graph {
        var random = Generator(state: seed)
        let operatorCount = 4 + random.below(3)
        let inputCount = 1 + random.below(2)
        var tensors: [Tensor] = []
        var available: [Int] = []
        for i in 0 ..< inputCount {
            available.append(tensors.count)
            tensors.append(Tensor(name: "x\(i)", kind: .input, bytes: 1 + random.below(3)))
        }
        var operators: [Operator] = []
        var read = Set<Int>()
        for o in 0 ..< operatorCount {
            var inputs: [Int] = []
            if o < inputCount { inputs.append(o) }  // every graph input is read
            let wanted = 1 + random.below(2)
            var attempts = 0
            while inputs.count < wanted, attempts < 8 {
                attempts += 1
                let t = available[random.below(available.count)]
                if !inputs.contains(t) { inputs.append(t) }
            }
            if random.chance(1, in: 3) {
                inputs.append(tensors.count)
                tensors.append(Tensor(name: "w\(o)", kind: .weight, bytes: 1 + random.below(3)))
            }
            var outputs: [Int] = []
            for k in 0 ..< (random.chance(1, in: 4) ? 2 : 1) {
                outputs.append(tensors.count)
                tensors.append(Tensor(name: "t\(o).\(k)", kind: .activation, bytes: 1 + random.below(3)))
            }
            read.formUnion(inputs)
            available.append(contentsOf: outputs)
            operators.append(Operator(name: "op\(o)", type: "Op", inputs: inputs, outputs: outputs))
        }
        var outputs = tensors.indices.filter { tensors[$0].kind == .activation && !read.contains($0) }
        let intermediates = tensors.indices.filter { tensors[$0].kind == .activation && read.contains($0) }
        if !intermediates.isEmpty, random.chance(1, in: 5) {
            outputs.append(intermediates[random.below(intermediates.count)])
            outputs.sort()
        }
        // Valid by construction: reads come from earlier operators only.
        return try! Graph(name: "tiny-\(seed)", tensors: tensors, operators: operators, outputs: outputs)
    }

    /// A chain whose stretches fragment a scratchpad of 4 bytes although at
    /// most 4 bytes are live at every step (sizes A–I: 2 2 1 1 1 1 2 2 2):
    ///
    ///     step 0: A B      step 2: C D E F     step 4: G H
    ///     step 1: B C D    step 3: D F G       step 5: H I
    ///
    /// B shares step 0 with A, so it sits at [0, 2) or [2, 4), and C, D take
    /// the other half; E, F then take B's half. At step 3, G needs two
    /// adjacent free bytes beside D and F (one in each half), so D and F
    /// must be the middle bytes 1 and 2; at step 4, H needs two adjacent
    /// bytes beside G, so G must not be the middle: a contradiction. With
    /// `seed` > 0, each size moves by one (within 1–3) with probability 1/3,
    /// which keeps the motif but not always the contradiction.
    static func fragmentingChain(seed: UInt64 = 0) -> Graph {
        var random = Generator(state: seed)
        let names = ["A", "B", "C", "D", "E", "F", "G", "H", "I"]
        var sizes = [2, 2, 1, 1, 1, 1, 2, 2, 2]
        if seed > 0 {
            for i in sizes.indices where random.chance(1, in: 3) {
                sizes[i] = min(3, max(1, sizes[i] + (random.chance(1, in: 2) ? 1 : -1)))
            }
        }
        let tensors = names.indices.map { Tensor(name: names[$0], kind: $0 == 0 ? .input : .activation, bytes: sizes[$0]) }
        let edges: [([Int], [Int])] = [([0], [1]), ([1], [2, 3]), ([2], [4, 5]), ([3, 5], [6]), ([6], [7]), ([7], [8])]
        let operators = edges.enumerated().map { Operator(name: "op\($0.offset)", type: "Op", inputs: $0.element.0, outputs: $0.element.1) }
        return try! Graph(name: "fragmenting-\(seed)", tensors: tensors, operators: operators, outputs: [4, 8])
    }
}
