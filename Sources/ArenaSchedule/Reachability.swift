/// Ancestors and descendants of every operator, as bitsets.
///
/// Built in O(operators × edges / 64) time from a topological order (one
/// pass each way, OR-ing the rows of neighbours) and O(operators² / 32)
/// bits of memory, so it is made only for graphs up to ``maximumOperators``.
public struct Reachability: Sendable {
    /// Graphs above this many operators get no reachability (32 MiB of bits).
    static let maximumOperators = 8_192

    let count: Int
    let words: Int
    /// Row `o`: bits `words * o ..< words * (o + 1)`.
    private let ancestorBits: [UInt64]
    private let descendantBits: [UInt64]

    init?(problem: ArenaProblem, order: [Int]) {
        let n = problem.operatorCount
        guard n <= Self.maximumOperators else { return nil }
        let words = max(1, (n + 63) / 64)
        var ancestors = [UInt64](repeating: 0, count: words * n)
        var descendants = ancestors
        for o in order {
            for p in problem.predecessors[o] {
                for w in 0 ..< words { ancestors[o * words + w] |= ancestors[p * words + w] }
                ancestors[o * words + p / 64] |= 1 << UInt64(p % 64)
            }
        }
        for o in order.reversed() {
            for s in problem.successors[o] {
                for w in 0 ..< words { descendants[o * words + w] |= descendants[s * words + w] }
                descendants[o * words + s / 64] |= 1 << UInt64(s % 64)
            }
        }
        count = n
        self.words = words
        ancestorBits = ancestors
        descendantBits = descendants
    }

    /// Whether `a` is a proper ancestor of `b`. O(1).
    func isAncestor(_ a: Int, of b: Int) -> Bool {
        ancestorBits[b * words + a / 64] & (1 << UInt64(a % 64)) != 0
    }

    func ancestorCount(_ o: Int) -> Int {
        (0 ..< words).reduce(0) { $0 + ancestorBits[o * words + $1].nonzeroBitCount }
    }

    func descendantCount(_ o: Int) -> Int {
        (0 ..< words).reduce(0) { $0 + descendantBits[o * words + $1].nonzeroBitCount }
    }

    /// Whether the two operators are ordered by a path either way.
    func areComparable(_ a: Int, _ b: Int) -> Bool { a == b || isAncestor(a, of: b) || isAncestor(b, of: a) }

    /// Per operator `v`, the bytes certainly live while `v` runs, whatever
    /// the order: `v`'s outputs, and every tensor produced by an ancestor
    /// of `v` that is a graph output or is read by `v` or a descendant of
    /// `v` (its producer has run, its reader has not finished). The largest
    /// is the ancestor-cut lower bound on the peak of every order.
    ///
    /// O(Σ over tensors of (readers + 1) × operators / 64 + the operators
    /// each tensor covers).
    func certainLiveBytes(_ problem: ArenaProblem) -> [Int] {
        var result = problem.outputBytes
        var cover = [UInt64](repeating: 0, count: words)
        for a in problem.bytes.indices where problem.bytes[a] > 0 {
            let p = problem.producer[a]
            let below = p * words
            if problem.pinned[a] {
                for w in 0 ..< words { cover[w] = descendantBits[below + w] }
            } else {
                for w in 0 ..< words { cover[w] = 0 }
                for c in problem.consumers[a] {
                    for w in 0 ..< words { cover[w] |= ancestorBits[c * words + w] }
                    cover[c / 64] |= 1 << UInt64(c % 64)
                }
                for w in 0 ..< words { cover[w] &= descendantBits[below + w] }
            }
            for w in 0 ..< words {
                var bits = cover[w]
                while bits != 0 {
                    result[w * 64 + bits.trailingZeroBitCount] += problem.bytes[a]
                    bits &= bits - 1
                }
            }
        }
        return result
    }

    /// The ancestor-cut lower bound on the peak of every order (the
    /// largest ``certainLiveBytes(_:)``), or the largest footprint when the
    /// graph is too large for reachability. O(operators × edges / 64).
    public static func cutBound(_ problem: ArenaProblem) -> Int {
        guard let reachability = Reachability(problem: problem, order: problem.givenOrder) else { return problem.largestFootprint }
        return reachability.certainLiveBytes(problem).max() ?? 0
    }
}
