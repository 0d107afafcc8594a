import MemoryGraph

/// The steps at which each operator may run, when the operators at a range
/// of steps of a known order may be permuted among those steps and every
/// other operator keeps its step.
///
/// A free operator cannot run before its free ancestors nor after its free
/// descendants, so its window is `[first + ancestors, last − descendants]`
/// (the ASAP and ALAP positions inside the range). Tensors inherit windows
/// from their producers and consumers, and the free-schedule ILP creates
/// variables only inside them: that, not the solver, is what keeps the model
/// small.
struct ScheduleWindows: Sendable {
    /// Inclusive bounds on the step of each operator.
    let earliest: [Int]
    let latest: [Int]
    /// `predecessors[o]`: the distinct operators producing what `o` reads.
    let predecessors: [[Int]]

    var stepCount: Int { earliest.count }

    func steps(of o: Int) -> ClosedRange<Int> { earliest[o] ... latest[o] }
    func isFixed(_ o: Int) -> Bool { earliest[o] == latest[o] }

    /// Every operator free: windows over the whole graph.
    init(graph: Graph) {
        let order = Schedule.default(for: graph).order
        self.init(order: order, free: 0 ... max(0, order.count - 1), graph: graph)
    }

    /// The operators at steps `free` of `order` free among those steps.
    /// O(k · (k + e) / 64) for k free operators and e edges among them
    /// (ancestor and descendant sets as bitsets), plus O(operators + edges).
    init(order: [Int], free: ClosedRange<Int>, graph: Graph) {
        let n = order.count
        let predecessors = Self.predecessors(in: graph)
        var earliest = [Int](repeating: 0, count: n)
        var latest = [Int](repeating: 0, count: n)
        for (s, o) in order.enumerated() {
            earliest[o] = s
            latest[o] = s
        }
        let members = n == 0 ? [] : Array(order[free])
        let k = members.count
        var local = [Int: Int]()
        for (i, o) in members.enumerated() { local[o] = i }
        let words = (k + 63) / 64
        // Members are in a topological order, so one forward pass gives
        // ancestors and one backward pass descendants.
        var ancestors = [[UInt64]](repeating: [UInt64](repeating: 0, count: words), count: k)
        for i in 0 ..< k {
            for p in predecessors[members[i]] {
                guard let j = local[p] else { continue }
                for w in 0 ..< words { ancestors[i][w] |= ancestors[j][w] }
                ancestors[i][j / 64] |= 1 << UInt64(j % 64)
            }
        }
        var descendants = [[UInt64]](repeating: [UInt64](repeating: 0, count: words), count: k)
        for i in stride(from: k - 1, through: 0, by: -1) {
            for p in predecessors[members[i]] {
                guard let j = local[p] else { continue }
                for w in 0 ..< words { descendants[j][w] |= descendants[i][w] }
                descendants[j][i / 64] |= 1 << UInt64(i % 64)
            }
        }
        for i in 0 ..< k {
            let above = ancestors[i].reduce(0) { $0 + $1.nonzeroBitCount }
            let below = descendants[i].reduce(0) { $0 + $1.nonzeroBitCount }
            earliest[members[i]] = free.lowerBound + above
            latest[members[i]] = free.upperBound - below
        }
        self.earliest = earliest
        self.latest = latest
        self.predecessors = predecessors
    }

    /// (operator, step) pairs inside the windows: the schedule binaries.
    var pairCount: Int { zip(earliest, latest).reduce(0) { $0 + $1.1 - $1.0 + 1 } }

    /// No restriction at all: every operator at every step (precedence is
    /// left to the ILP's rows). For measuring what windows are worth.
    init(unrestricted graph: Graph) {
        let n = graph.operators.count
        self.earliest = [Int](repeating: 0, count: n)
        self.latest = [Int](repeating: max(0, n - 1), count: n)
        self.predecessors = Self.predecessors(in: graph)
    }

    /// For each operator, the distinct operators producing what it reads.
    /// O(operators + edges).
    static func predecessors(in graph: Graph) -> [[Int]] {
        var predecessors = [[Int]](repeating: [], count: graph.operators.count)
        for (o, op) in graph.operators.enumerated() {
            var seen = Set<Int>()
            for t in op.reads {
                if let p = graph.producers[t], p != o, seen.insert(p).inserted { predecessors[o].append(p) }
            }
        }
        return predecessors
    }

    /// Whether `order` respects the windows.
    func admits(_ order: [Int]) -> Bool {
        order.enumerated().allSatisfy { s, o in steps(of: o).contains(s) }
    }
}
