/// Griewank's optimal reversal of a chain (``Revolve``), on training
/// graphs that are a forward chain mirrored by a backward chain.
///
/// ## The chains it takes
///
/// In the given order, n forward operators f_1 … f_n, then n backward
/// operators b_n … b_1 (phases from the graph or inferred, see
/// ``RematProblem``), where
/// - f_i writes one activation a_i; f_1 reads no activation, f_i (i ≥ 2)
///   reads a_{i−1} and no other activation;
/// - b_n reads no activation but a_{n−1} and a_n; b_i (i < n) none but
///   a_{i−1} (the value before step i; a_0 is the graph input, pinned) and
///   g_{i+1}, the one output of b_{i+1} that another operator reads (b_i
///   must be its only reader); other outputs of a backward operator are
///   read by nobody (weight gradients, graph outputs);
/// - a_1 … a_{n−1} are not graph outputs and have the same size A.
/// Anything else is refused with the first operator that breaks the shape.
///
/// ## From bytes to snapshots
///
/// Position i of the reversal is b_i, which needs a_{i−1}; the turn (the
/// adjoint of position n) runs f_n and then b_n. A schedule with s slots
/// holds at most s snapshots a_j besides what the operator at hand reads
/// and writes, so its peak is at most s·A + W, where W (the working set)
/// is the largest of: an advance in the backward pass, 2A plus the pending
/// gradient; an adjoint, A plus the gradient it reads and the one it
/// writes; the turn, A + |a_n| + |g_n|; each plus the graph outputs
/// already resident. A budget B therefore allows at least ⌊(B − W)/A⌋
/// slots. The planner takes the largest s ≤ n − 2 whose schedule's peak,
/// evaluated under the memory model (``RematEvaluation``), is at most B
/// (binary search on s; the evaluated peak grows with s), so it never uses
/// fewer slots than that bound gives. With unit sizes W = 3: the budget
/// s + 3 gives s slots.
///
/// The number of forward executions is P(n, s) of ``Revolve`` plus one
/// (the turn's f_n); P is the fewest for the slot count, so with equal forward costs
/// the compute is the least among schedules that keep at most s snapshots
/// (the tests compare it with the exhaustive optimum on small chains).
/// With unequal costs it is a heuristic.
///
/// Time: O(n² · s) for the table (bounded by ``Revolve/workLimit``, which
/// caps s on long chains), plus O(log n) evaluations of O(n · (s + 1) +
/// n log n) steps. Memory O(n · s).
public enum GriewankPlanner {
    public static let method = "griewank"

    /// The chain's operators in position order: forward[i−1] = f_i,
    /// backward[i−1] = b_i.
    public struct Chain: Sendable {
        public let forward: [Int]
        public let backward: [Int]
        /// The size of a_1 … a_{n−1} (0 when n = 1).
        public let snapshotBytes: Int
    }

    public static func plan(_ problem: RematProblem) throws(RematFailure) -> RematSolution {
        let chain = try recognise(problem)
        let n = chain.forward.count
        let wanted = max(0, n - 2)
        var slots = wanted
        var table: Revolve?
        while table == nil {
            table = Revolve(positions: n, slots: slots)
            if table == nil { slots = slots / 2 }
        }
        guard let table else { throw .notApplicable(method: method, reason: "internal: no revolve table") }
        func evaluation(_ s: Int) -> RematEvaluation { problem.evaluate(schedule(chain, table, slots: s)) }
        // The largest slot count whose schedule fits.
        var low = 0, high = table.slots
        let first = evaluation(0)
        guard first.fits(problem.budget) else {
            throw .notFound(method: method, budget: problem.budget,
                            reason: "even without snapshots its schedule peaks at \(first.peak) bytes")
        }
        var best = first
        while low < high {
            let mid = (low + high + 1) / 2
            let candidate = evaluation(mid)
            if candidate.fits(problem.budget) {
                low = mid
                if candidate.cost <= best.cost { best = candidate }
            } else {
                high = mid - 1
            }
        }
        return RematSolution(method: method, evaluation: best, bound: problem.baseCost, boundScope: .allSchedules,
                             boundSource: .base)
    }

    /// The schedule of the reversal with `s` slots: forward steps f_i,
    /// the turn f_n b_n, adjoints b_i.
    static func schedule(_ chain: Chain, _ table: Revolve, slots s: Int) -> [Int] {
        let n = chain.forward.count
        var result: [Int] = []
        for event in table.reversal(slots: s) {
            switch event {
            case .forward(let i): result.append(chain.forward[i - 1])
            case .adjoint(let i):
                if i == n { result.append(chain.forward[n - 1]) }
                result.append(chain.backward[i - 1])
            }
        }
        return result
    }

    /// The chain, or why the graph is not one (naming the first operator
    /// that breaks it). O(operators + edges).
    public static func recognise(_ problem: RematProblem) throws(RematFailure) -> Chain {
        let order = problem.order
        let names = problem.graph.operators.map(\.name)
        func refuse(_ o: Int, _ why: String) -> RematFailure {
            .notApplicable(method: method, reason: "not a forward chain mirrored by a backward chain: operator '\(names[o])' \(why)")
        }
        let n = order.prefix { problem.phases[$0] == .forward }.count
        guard n >= 1 else {
            throw .notApplicable(method: method, reason: "not a forward chain mirrored by a backward chain: the graph has no forward operator first")
        }
        let backwardInOrder = Array(order[n...])
        if let stray = backwardInOrder.first(where: { problem.phases[$0] == .forward }) {
            throw refuse(stray, "is a forward operator after the backward pass began")
        }
        guard backwardInOrder.count == n else {
            let o = backwardInOrder.count > n ? backwardInOrder[n] : order[order.count - 1]
            throw refuse(o, "makes the backward pass \(backwardInOrder.count) operators long, the forward pass has \(n)")
        }
        let forward = Array(order[..<n])
        let backward = Array(backwardInOrder.reversed())  // backward[i-1] = b_i
        var a: [Int] = []
        for (k, f) in forward.enumerated() {
            guard problem.outputs[f].count == 1 else { throw refuse(f, "writes \(problem.outputs[f].count) activations, not one") }
            let expected = k == 0 ? [] : [a[k - 1]]
            guard problem.reads[f] == expected else {
                throw refuse(f, k == 0 ? "reads an activation (the first step reads only inputs and weights)" : "does not read exactly the previous step's value")
            }
            a.append(problem.outputs[f][0])
        }
        for k in 0 ..< max(0, n - 1) {
            if problem.isGraphOutput[a[k]] { throw refuse(forward[k], "writes a graph output inside the chain") }
            if problem.bytes[a[k]] != problem.bytes[a[0]] {
                throw refuse(forward[k], "writes \(problem.bytes[a[k]]) bytes, the first step \(problem.bytes[a[0]]) (snapshots need equal sizes)")
            }
        }
        var gradient = [Int](repeating: -1, count: n + 2)  // gradient[i] = g_i
        for i in stride(from: n, through: 1, by: -1) {
            let b = backward[i - 1]
            var allowed: Set<Int> = []
            if i == n { allowed.insert(a[n - 1]) } else { allowed.insert(gradient[i + 1]) }
            if i >= 2 { allowed.insert(a[i - 2]) }
            if let bad = problem.reads[b].first(where: { !allowed.contains($0) }) {
                throw refuse(b, "reads '\(problem.graph.tensors[bad].name)', which its position in the chain does not allow")
            }
            let read = problem.outputs[b].filter { !problem.readers[$0].isEmpty }
            if i >= 2 {
                guard read.count == 1, problem.readers[read[0]] == [backward[i - 2]] else {
                    throw refuse(b, "does not hand exactly one value to the next backward operator alone")
                }
                gradient[i] = read[0]
            } else if !read.isEmpty {
                throw refuse(b, "writes a value that another operator reads, after the last backward step")
            }
        }
        return Chain(forward: forward, backward: backward, snapshotBytes: n >= 2 ? problem.bytes[a[0]] : 0)
    }
}
