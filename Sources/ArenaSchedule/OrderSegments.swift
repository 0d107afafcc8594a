/// The operators that every path through the graph crosses, and the
/// stretches of operators between them.
///
/// An operator `v` is a *cut* when every other operator is its ancestor or
/// its descendant. Every order then runs exactly `v`'s ancestors before it,
/// so the live tensors at `v` are the same in every order, and the orders
/// of the stretches between consecutive cuts can be chosen independently:
/// the peak of an order is the largest peak of its stretches. The exact
/// search solves one stretch at a time (divide and conquer).
///
/// Found in O(operators + edges) from any topological order π: the
/// operator at position i is a cut exactly when every operator before it
/// has a successor at a position ≤ i (following successors then never
/// leaves the prefix and must end at π[i]) and every operator after it has
/// a predecessor at a position ≥ i.
public struct OrderSegments: Sendable {
    /// The positions in `order` of the cut operators, ascending.
    public let cutPositions: [Int]
    /// Half-open position ranges of `order`: each stretch ends with its
    /// cut (the last may end without one). Together they cover the order.
    public let ranges: [Range<Int>]

    public init(problem: ArenaProblem, order: [Int]) {
        let n = order.count
        var position = [Int](repeating: 0, count: n)
        for (s, o) in order.enumerated() { position[o] = s }
        // prefixNeed[i]: the largest "earliest successor" position among
        // operators at positions < i (n when one of them has none).
        var cuts: [Int] = []
        var suffixOK = [Bool](repeating: false, count: n + 1)
        var minLatestPredecessor = Int.max
        suffixOK[n] = true
        for s in stride(from: n - 1, through: 0, by: -1) {
            // suffixOK[s]: every operator after position s has a predecessor at ≥ s.
            suffixOK[s] = minLatestPredecessor >= s
            let o = order[s]
            let latest = problem.predecessors[o].map { position[$0] }.max() ?? -1
            minLatestPredecessor = min(minLatestPredecessor, latest)
        }
        var maxEarliestSuccessor = -1
        for s in 0 ..< n {
            if maxEarliestSuccessor <= s && suffixOK[s] { cuts.append(s) }
            let o = order[s]
            let earliest = problem.successors[o].map { position[$0] }.min() ?? n
            maxEarliestSuccessor = max(maxEarliestSuccessor, earliest)
        }
        var ranges: [Range<Int>] = []
        var start = 0
        for c in cuts {
            ranges.append(start ..< c + 1)
            start = c + 1
        }
        if start < n { ranges.append(start ..< n) }
        cutPositions = cuts
        self.ranges = ranges
    }
}
