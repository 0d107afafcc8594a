import Foundation
import MemoryGraph

/// The given order, every operator once: the reference point of the
/// budget fractions. O(operators + edges).
public enum KeepAllPlanner {
    public static let method = "keep-all"

    public static func plan(_ problem: RematProblem) throws(RematFailure) -> RematSolution {
        let evaluation = problem.evaluate(problem.order)
        guard evaluation.fits(problem.budget) else {
            throw .notFound(method: method, budget: problem.budget, reason: "keeping everything peaks at \(evaluation.peak) bytes")
        }
        // No schedule costs less than one execution of every operator.
        return RematSolution(method: method, evaluation: evaluation, bound: problem.baseCost, boundScope: .allSchedules,
                             boundSource: .base)
    }
}

extension RematProblem {
    /// Activations written in the forward pass and read in the backward
    /// pass: what a training run saves for the backward pass, and what
    /// checkpointing schemes choose among. O(operators + edges).
    var savedActivations: [Int] {
        var result: [Int] = []
        for o in order where phases[o] == .forward {
            for t in outputs[o] where readers[t].contains(where: { phases[$0] == .backward }) { result.append(t) }
        }
        return result
    }

    /// The schedule that drops `dropped` (see ``OnDemandSchedule``), evaluated.
    func onDemand(dropping dropped: Set<Int>) -> RematEvaluation {
        var flags = [Bool](repeating: false, count: bytes.count)
        for t in dropped { flags[t] = true }
        return evaluate(OnDemandSchedule.build(self, dropped: flags))
    }
}

/// The cheapest schedule that fits among `candidates`, else the failure
/// naming the lowest peak seen.
func cheapestFitting(_ candidates: [RematEvaluation], budget: Int, method: String) throws(RematFailure) -> RematEvaluation {
    let fitting = candidates.filter { $0.fits(budget) }
    if let best = fitting.min(by: { ($0.cost, $0.peak) < ($1.cost, $1.peak) }) { return best }
    let lowest = candidates.filter(\.isValid).map(\.peak).min()
    throw .notFound(method: method, budget: budget, reason: lowest.map { "its lowest peak is \($0) bytes" } ?? "no valid schedule")
}

/// Chen et al. (2016): keep the outputs of every k-th forward operator
/// (checkpoints), drop the other saved activations and recompute each
/// segment in the backward pass. Tries k = ⌈√n⌉ and the greedy variant
/// (a checkpoint whenever the saved bytes since the last one pass a
/// segment budget, for budgets spread geometrically from the smallest
/// saved value to all of them) and keeps the cheapest schedule that fits.
///
/// O(trials × (operators + edges) × depth): each trial is one on-demand
/// schedule; about 40 trials.
public enum ChenPlanner {
    public static let method = "chen"

    public static func plan(_ problem: RematProblem) throws(RematFailure) -> RematSolution {
        try cheapest(problem, candidates: candidates(problem))
    }

    static func cheapest(_ problem: RematProblem, candidates: [RematEvaluation]) throws(RematFailure) -> RematSolution {
        let best = try cheapestFitting(candidates, budget: problem.budget, method: method)
        return RematSolution(method: method, evaluation: best, bound: problem.baseCost, boundScope: .allSchedules,
                             boundSource: .base)
    }

    static func candidates(_ problem: RematProblem) -> [RematEvaluation] {
        let saved = problem.savedActivations
        let forward = problem.order.filter { problem.phases[$0] == .forward }
        guard !saved.isEmpty, !forward.isEmpty else { return [problem.evaluate(problem.order)] }
        let savedSet = Set(saved)
        var result: [RematEvaluation] = []
        // √n segments.
        let k = max(1, Int(Double(forward.count).squareRoot().rounded(.up)))
        var kept = Set<Int>()
        for (i, o) in forward.enumerated() where (i + 1) % k == 0 { kept.formUnion(problem.outputs[o]) }
        result.append(problem.onDemand(dropping: savedSet.subtracting(kept)))
        // Greedy by a segment budget.
        let sizes = saved.map { problem.bytes[$0] }.filter { $0 > 0 }
        let total = Double(sizes.reduce(0, +)), smallest = Double(sizes.min() ?? 1)
        let trials = 40
        for i in 0 ... trials where total > 0 {
            let segmentBudget = smallest * pow(total / smallest, Double(i) / Double(trials))
            var kept = Set<Int>()
            var since = 0.0
            for o in forward {
                let savedHere = problem.outputs[o].filter { savedSet.contains($0) }
                since += Double(savedHere.reduce(0) { $0 + problem.bytes[$1] })
                if since > segmentBudget {
                    kept.formUnion(savedHere)
                    since = 0
                }
            }
            result.append(problem.onDemand(dropping: savedSet.subtracting(kept)))
        }
        return result
    }
}

/// PyTorch's `activation_memory_budget`: of the values the backward pass
/// reads, save those a 0-1 knapsack picks (weight: bytes; value: the
/// compute of the operator that made it, its only recomputation charge)
/// under b × (all of their bytes), recompute the others on demand. The
/// knapsack counts saved bytes, not liveness, so the true peak (measured
/// here) is what this method reports; as a planner it sweeps b from 1 to 0
/// in steps of 0.05 and keeps the cheapest schedule that truly fits.
///
/// O(21 × (knapsack + schedule)); the knapsack is O(values × 1,000).
public enum TorchKnapsackPlanner {
    public static let method = "torch-knapsack"

    public static func plan(_ problem: RematProblem) throws(RematFailure) -> RematSolution {
        let sweep = (0 ... 20).map { evaluation(problem, fraction: 1 - Double($0) / 20) }
        let best = try cheapestFitting(sweep, budget: problem.budget, method: method)
        return RematSolution(method: method, evaluation: best, bound: problem.baseCost, boundScope: .allSchedules,
                             boundSource: .base)
    }

    /// The schedule PyTorch's heuristic makes at budget fraction `fraction`
    /// (0 keeps nothing for the backward pass, 1 keeps all of it).
    public static func evaluation(_ problem: RematProblem, fraction: Double) -> RematEvaluation {
        let saved = problem.savedActivations
        let weights = saved.map { problem.bytes[$0] }
        let values = saved.map { t in problem.producers[t].map { problem.costs[$0] } ?? 0 }
        let total = weights.reduce(0, +)
        let capacity = Int((Double(total) * min(max(fraction, 0), 1)).rounded(.down))
        let keep = knapsack(weights: weights, values: values, capacity: capacity)
        var dropped = Set<Int>()
        for (i, t) in saved.enumerated() where !keep[i] { dropped.insert(t) }
        return problem.onDemand(dropping: dropped)
    }

    /// 0-1 knapsack by dynamic programming over weights scaled up to 1,000
    /// units (rounded up, so the chosen set never exceeds the capacity).
    static func knapsack(weights: [Int], values: [Double], capacity: Int) -> [Bool] {
        guard capacity > 0 else { return weights.map { $0 == 0 } }
        let units = 1000
        let scale = Double(capacity) / Double(units)
        let w = weights.map { $0 == 0 ? 0 : Int((Double($0) / scale).rounded(.up)) }
        var best = [Double](repeating: 0, count: units + 1)
        var take = [[Bool]](repeating: [Bool](repeating: false, count: units + 1), count: weights.count)
        for i in weights.indices {
            guard w[i] <= units else { continue }
            for c in stride(from: units, through: w[i], by: -1) where best[c - w[i]] + values[i] > best[c] {
                best[c] = best[c - w[i]] + values[i]
                take[i][c] = true
            }
        }
        var chosen = [Bool](repeating: false, count: weights.count)
        var c = units
        for i in weights.indices.reversed() where take[i][c] {
            chosen[i] = true
            c -= w[i]
        }
        return chosen
    }
}

/// Online eviction in the given order (after DTR, Kirisame et al. 2021):
/// when the next execution does not fit, free the resident value with the
/// smallest cost / (bytes × staleness) that no pending execution reads
/// (graph outputs stay), and recompute evicted values on demand. Dead
/// values (no later read) are freed at once.
///
/// With spills (``RematProblem/spill``) a value's eviction cost is the
/// cheaper of recomputing it (its producer's cost) and spilling it (a
/// store, unless its host copy is still valid, plus a load); a value
/// evicted the second way is stored first, and a missing value whose host
/// copy is valid is loaded back when that is cheaper than recomputing it.
/// Graph outputs (gradients) may then leave too, to host memory only, and
/// are loaded back at the end.
///
/// At most 50 × operators executions (then it gives up: thrashing); each
/// eviction scans the resident values: O(events × resident).
public enum GreedyEvictionPlanner {
    public static let method = "greedy"

    public static func plan(_ problem: RematProblem) throws(RematFailure) -> RematSolution {
        let order = problem.order
        let uses = problem.readPositions()
        var cursor = [Int](repeating: 0, count: uses.count)
        var resident = [Bool](repeating: false, count: uses.count)
        var residentList = Set<Int>()
        var onHost = [Bool](repeating: false, count: uses.count)
        var lastAccess = [Int](repeating: 0, count: uses.count)
        var pinned = [Int](repeating: 0, count: uses.count)
        var used = 0
        var clock = 0
        var base = 0
        var events: [RematEvent] = []
        var runs = 0
        let limit = 50 * max(1, problem.operatorCount)
        let budget = problem.budget
        let spill = problem.spill

        func recomputeCost(_ t: Int) -> Double { problem.producers[t].map { problem.costs[$0] } ?? 0 }
        func spillCost(_ t: Int) -> Double? {
            guard let spill else { return nil }
            return (onHost[t] ? 0 : spill.store(problem.bytes[t])) + spill.load(problem.bytes[t])
        }
        func hasNextUse(_ t: Int) -> Bool {
            while cursor[t] < uses[t].count, uses[t][cursor[t]] <= base { cursor[t] += 1 }
            return cursor[t] < uses[t].count
        }
        func drop(_ t: Int) {
            resident[t] = false
            residentList.remove(t)
            used -= problem.bytes[t]
        }
        func evictOne() -> Bool {
            var best: Int?
            var bestScore = Double.infinity
            for t in residentList where pinned[t] == 0 && (!problem.isGraphOutput[t] || spill != nil) {
                // A graph output leaves only to host memory (it is loaded back at the end).
                let cost = problem.isGraphOutput[t] ? spillCost(t) ?? .infinity : min(recomputeCost(t), spillCost(t) ?? .infinity)
                let score = cost / (Double(max(1, problem.bytes[t])) * Double(clock - lastAccess[t] + 1))
                if score < bestScore || (score == bestScore && t < (best ?? Int.max)) {
                    bestScore = score
                    best = t
                }
            }
            guard let best else { return false }
            if let viaHost = spillCost(best), viaHost < recomputeCost(best) || problem.isGraphOutput[best], !onHost[best] {
                events.append(.store(best))
                onHost[best] = true
            }
            drop(best)
            return true
        }
        func makeRoom(_ needed: Int, for o: Int) throws(RematFailure) {
            while used + needed > budget {
                guard evictOne() else {
                    throw .notFound(method: method, budget: budget,
                                    reason: "'\(problem.graph.operators[o].name)' does not fit with what it reads and what must stay")
                }
            }
        }
        func run(_ o: Int) throws(RematFailure) {
            guard runs < limit else {
                throw .notFound(method: method, budget: budget, reason: "more than \(limit) executions (thrashing)")
            }
            for t in problem.reads[o] { pinned[t] += 1 }
            for t in problem.outputs[o] { pinned[t] += 1 }
            defer {
                for t in problem.reads[o] { pinned[t] -= 1 }
                for t in problem.outputs[o] { pinned[t] -= 1 }
            }
            for t in problem.reads[o] where !resident[t] {
                if let spill, onHost[t], spill.load(problem.bytes[t]) <= recomputeCost(t) || problem.producers[t] == nil {
                    try makeRoom(problem.bytes[t], for: o)
                    events.append(.load(t))
                    resident[t] = true
                    residentList.insert(t)
                    used += problem.bytes[t]
                    lastAccess[t] = clock
                } else if let p = problem.producers[t] {
                    try run(p)
                }
            }
            let needed = problem.outputs[o].filter { !resident[$0] }.reduce(0) { $0 + problem.bytes[$1] }
            try makeRoom(needed, for: o)
            events.append(.run(o))
            runs += 1
            clock += 1
            for t in problem.outputs[o] {
                onHost[t] = false
                if !resident[t] {
                    resident[t] = true
                    residentList.insert(t)
                    used += problem.bytes[t]
                }
            }
            for t in problem.reads[o] + problem.outputs[o] { lastAccess[t] = clock }
        }
        for (p, o) in order.enumerated() {
            base = p
            try run(o)
            for t in problem.reads[o] + problem.outputs[o] where resident[t] && pinned[t] == 0 && !problem.isGraphOutput[t] && !hasNextUse(t) {
                drop(t)
            }
        }
        // Graph outputs spilled during the run come back at the end.
        for t in problem.bytes.indices where problem.isGraphOutput[t] { pinned[t] += 1 }
        for t in problem.bytes.indices where problem.isGraphOutput[t] && !resident[t] && onHost[t] {
            guard let last = order.last else { break }
            try makeRoom(problem.bytes[t], for: last)
            events.append(.load(t))
            resident[t] = true
            residentList.insert(t)
            used += problem.bytes[t]
        }
        let evaluation = problem.evaluate(events: events)
        guard evaluation.fits(budget) else {
            throw .notFound(method: method, budget: budget,
                            reason: "its schedule peaks at \(evaluation.peak) bytes" + (evaluation.violation.map { " (\($0))" } ?? ""))
        }
        return RematSolution(method: method, evaluation: evaluation, bound: problem.baseCost, boundScope: .allSchedules,
                             boundSource: .base)
    }
}
