/// A lower bound on the cost of every stage schedule that fits
/// (``RematSolution/BoundScope/stages``), from one stage at a time, with
/// the integrality that the LP relaxation of ``CheckmateFormulation``
/// loses.
///
/// While the operator at position t runs in its stage, everything the next
/// stage starts with is resident, and so is what t reads and writes (the
/// stage knapsack row). A value made at or before t that a later operator
/// reads (or a graph output) and that t does not touch is either in the
/// next stage's start or not resident there; if not, its producer must run
/// again in some stage after t, a recomputation that the base cost (every
/// operator once) does not count. Values of one producer go together
/// (recomputing the producer remakes all of them). So with W_t the bytes of
/// those values and cap_t = budget − bytes(t's reads and writes), every
/// schedule pays at least the cheapest set of producers whose values'
/// bytes reach W_t − cap_t: a 0-1 knapsack, solved exactly (branch and
/// bound with Dantzig's bound; past ``nodeLimit`` nodes its LP bound is
/// used, which is still a valid bound). Different stages may share their
/// recomputations, so the bound is the base cost plus the largest of the
/// stages' knapsacks, not their sum.
///
/// Time: O(n · (values + producers log producers)) plus the searches, each
/// at most ``nodeLimit`` nodes of O(1) amortised work; memory O(values).
public enum StageKnapsackBound {
    public static let nodeLimit = 200_000

    /// The bound (base cost included); the base cost when no stage needs a
    /// drop; nil when some stage cannot fit even with every droppable value
    /// gone (no stage schedule fits).
    public static func cost(_ problem: RematProblem) -> Double? {
        let formulation = Positions(problem)
        var best = 0.0
        for t in 0 ..< formulation.n {
            guard let extra = stageCost(formulation, t) else { return nil }
            best = max(best, extra)
        }
        return problem.baseCost + best
    }

    /// The positions and values of a problem, as the stage MILP sees them.
    struct Positions {
        let problem: RematProblem
        let n: Int
        let producerPosition: [Int?]
        let lastReader: [Int]

        init(_ problem: RematProblem) {
            self.problem = problem
            n = problem.operatorCount
            var position = [Int](repeating: 0, count: n)
            for (p, o) in problem.order.enumerated() { position[o] = p }
            producerPosition = problem.bytes.indices.map { v in
                guard let producer = problem.producers[v], problem.graph.tensors[v].kind == .activation else { return nil }
                return position[producer]
            }
            lastReader = problem.readers.map { $0.map { position[$0] }.max() ?? -1 }
        }
    }

    /// One stage's knapsack row: the bytes of each producer's values that
    /// must wait past stage t without being touched by it, and how many
    /// of those bytes cannot stay resident (`demand` = W_t − cap_t).
    struct Row {
        /// Producer position -> bytes of its values that wait past t.
        var weights: [Int: Int]
        var demand: Int
    }

    /// Stage t's row; nil when the stage cannot fit even with every
    /// droppable value gone. O(values).
    static func row(_ positions: Positions, _ t: Int) -> Row? {
        let problem = positions.problem
        let o = problem.order[t]
        var touched = Set(problem.reads[o].filter { positions.producerPosition[$0] != nil })
        touched.formUnion(problem.outputs[o].filter { positions.producerPosition[$0] != nil })
        var cap = problem.budget - touched.reduce(0) { $0 + problem.bytes[$1] }
        var weights: [Int: Int] = [:]  // producer position -> bytes of its values that must wait past t
        var total = 0
        for v in problem.bytes.indices where !touched.contains(v) && problem.bytes[v] > 0 {
            guard let p = positions.producerPosition[v], p <= t else { continue }
            let output = problem.isGraphOutput[v]
            guard output || positions.lastReader[v] > t else { continue }
            if output && t == positions.n - 1 {
                cap -= problem.bytes[v]  // kept to the end: cannot be dropped
                continue
            }
            weights[p, default: 0] += problem.bytes[v]
            total += problem.bytes[v]
        }
        if cap < 0 { return nil }
        return Row(weights: weights, demand: total - cap)
    }

    /// The least extra cost stage t forces, nil when it cannot fit.
    static func stageCost(_ positions: Positions, _ t: Int) -> Double? {
        let problem = positions.problem
        guard let row = row(positions, t) else { return nil }
        if row.demand <= 0 { return 0 }
        let cap = row.weights.values.reduce(0, +) - row.demand
        let items = row.weights.map { (weight: $0.value, cost: problem.costs[problem.order[$0.key]]) }
        // Keep the most cost within cap; the drop cost is what is not kept.
        let allCost = items.reduce(0.0) { $0 + $1.cost }
        return max(0, allCost - maxKept(items, capacity: cap))
    }

    /// An upper bound on the 0-1 knapsack's optimum (exact unless the node limit is hit).
    static func maxKept(_ items: [(weight: Int, cost: Double)], capacity: Int) -> Double {
        let sorted = items.sorted { $0.cost * Double($1.weight) > $1.cost * Double($0.weight) }
        func dantzig(_ from: Int, _ room: Int) -> Double {
            var room = room
            var value = 0.0
            for i in from ..< sorted.count {
                if sorted[i].weight <= room {
                    room -= sorted[i].weight
                    value += sorted[i].cost
                } else {
                    value += sorted[i].cost * Double(room) / Double(sorted[i].weight)
                    break
                }
            }
            return value
        }
        let root = dantzig(0, capacity)
        var best = 0.0
        var nodes = 0
        var exhausted = false
        func search(_ i: Int, _ room: Int, _ value: Double) {
            if exhausted { return }
            nodes += 1
            if nodes > nodeLimit { exhausted = true; return }
            if value > best { best = value }
            guard i < sorted.count else { return }
            if value + dantzig(i, room) <= best + 1e-12 { return }
            if sorted[i].weight <= room { search(i + 1, room - sorted[i].weight, value + sorted[i].cost) }
            search(i + 1, room, value)
        }
        search(0, capacity, 0)
        return exhausted ? root : best
    }
}
