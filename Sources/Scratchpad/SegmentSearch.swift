import MILP
import MemoryGraph

/// The best order of one segment (``ScheduleSegments``), and a lower bound
/// on its traffic over every order of it, addresses ignored.
///
/// 1. Its fixed-order optimum in the current order (``ReplacementSearch``)
///    is the incumbent.
/// 2. Small segments (at most `exactPairs` operator-step pairs inside the
///    ASAP/ALAP windows): the ``FreeScheduleILP`` over every order of the
///    segment, warm-started from the incumbent, its bound rounded up to the
///    next achievable traffic and the solver told to stop when that meets
///    the incumbent.
/// 3. Larger ones: the same ILP's LP relaxation for a bound (when it has at
///    most `relaxationPairs` pairs), then large-neighbourhood search:
///    windows of `windowLength` consecutive steps re-ordered in turn, every
///    other operator kept, each window's ILP holding only the tensors used
///    inside it; an order is kept when its fixed-order optimum is lower.
///
/// Memory: windows O(k²/64) bits for k operators (at most 16 MB: segments
/// of more than ``maximumOperators`` get no every-order model, only the
/// fixed-order bound when their order is forced, else 0); models O(Σ window widths +
/// Σ tensor spans). Time: within `deadline`; a window's model holds the
/// tensors used inside it (their whole spans), so it costs O(Σ those
/// spans) to build and rarely more than a few hundred variables.
struct SegmentSearch {
    let solver: any Solver
    var options: SolveOptions
    var formulation = FreeScheduleFormulation()
    var exactPairs = 3000
    var relaxationPairs = 40000
    var windowLength = 10
    var windowSeconds = 5.0
    var report: (@Sendable (String) -> Void)?

    static let maximumOperators = 8192

    enum BoundMethod: String, Sendable {
        /// Zero traffic: nothing to bound.
        case none
        /// The only order of the segment: its fixed-order ILP.
        case fixedOrder = "fixed-order ILP"
        /// The every-order ILP, solved (bound from branch and bound).
        case everyOrder = "every-order ILP"
        /// The every-order ILP's LP relaxation.
        case relaxation = "LP relaxation"
        /// No bound could be computed (too large, or no time): 0.
        case trivial = "none (0)"
    }

    struct Result: Sendable {
        /// The segment's best order (its own operator indices).
        var order: [Int]
        var traffic: Int
        /// Valid for every order of the segment.
        var bound: Int
        var method: BoundMethod
        /// Operator-step pairs in the segment's windows.
        var pairs: Int
        var variables: Int
        var rows: Int
        var solves: Int
    }

    /// The incumbent of a segment: its fixed-order optimum (or best found)
    /// in its current order, with the bound that covers every order when
    /// the order is forced (`isFixed`), else a bound of 0.
    func start(_ problem: ScratchpadProblem, isFixed: Bool, deadline: Deadline) -> (Replacement, Result)? {
        var solves = 0
        guard let current = fixedOrder(problem, deadline: deadline, solves: &solves) else { return nil }
        var result = Result(order: problem.schedule.order, traffic: current.traffic, bound: 0, method: .trivial,
                            pairs: problem.graph.operators.count, variables: current.model.variables,
                            rows: current.model.rows, solves: solves)
        if current.traffic == 0 {
            result.method = .none
        } else if isFixed || Self.isForced(problem) {
            result.bound = current.bound
            result.method = .fixedOrder
        }
        return (current, result)
    }

    /// `problem`: the segment as a problem of its own, in its current order,
    /// whose fixed-order optimum (or best found) is `current`.
    func run(_ problem: ScratchpadProblem, current start: Replacement, deadline: Deadline) -> Result {
        let opCount = problem.graph.operators.count
        var solves = 0
        var current = start
        var result = Result(order: problem.schedule.order, traffic: current.traffic, bound: 0, method: .trivial,
                            pairs: opCount, variables: 0, rows: 0, solves: 0)
        if current.traffic == 0 {
            result.method = .none
            return result
        }
        if Self.isForced(problem) {
            // One order only: the fixed-order bound covers every order.
            result.bound = current.bound
            result.method = .fixedOrder
            return result
        }
        guard opCount <= Self.maximumOperators else { return result }
        let windows = formulation.windows ? ScheduleWindows(graph: problem.graph) : ScheduleWindows(unrestricted: problem.graph)
        result.pairs = windows.pairCount
        if windows.earliest.indices.allSatisfy({ windows.isFixed($0) }) {
            // One order only: the fixed-order bound covers every order.
            result.bound = current.bound
            result.method = .fixedOrder
            return result
        }
        var incumbentProblem = problem
        let ilp = FreeScheduleILP(problem: problem, windows: windows, formulation: formulation)

        if result.pairs <= exactPairs {
            let built = ilp.build(capacity: problem.capacity)
            result.variables = built.model.variableCount
            result.rows = built.model.constraintCount
            let lattice = AchievableTraffic(sizes: Self.moveSizes(problem), limit: current.traffic)
            var solveOptions = options
            solveOptions.timeLimit = nil
            solveOptions.deadline = deadline
            solveOptions.progress = nil
            if formulation.warmStart {
                solveOptions.warmStart = ilp.warmStart(order: problem.schedule.order, residencies: current.residencies,
                                                       stored: current.stored, built: built)
            }
            let step = current.traffic - lattice.below(current.traffic)
            solveOptions.relativeGap = max(0, Double(step) * (1 - 1e-6) - 1e-6) / (Double(current.traffic) + built.compulsoryLoads)
            let solved = solver.solve(built.model, options: solveOptions)
            solves += 1
            if solved.status.hasSolution, let objective = solved.objective, objective < Double(current.traffic) - 0.5 {
                let order = ilp.order(from: solved.values, built: built)
                if let candidate = try? problem.reordered(order),
                   let planned = fixedOrder(candidate, deadline: deadline.capped(at: 5), solves: &solves),
                   planned.traffic < current.traffic {
                    current = planned
                    incumbentProblem = candidate
                }
            }
            if let bound = solved.bound, solved.status.hasSolution {
                result.bound = min(current.traffic, AchievableTraffic(sizes: Self.moveSizes(problem), limit: current.traffic).roundUp(bound))
                result.method = .everyOrder
            }
        } else {
            if result.pairs <= relaxationPairs {
                let built = ilp.build(capacity: problem.capacity)
                result.variables = built.model.variableCount
                result.rows = built.model.constraintCount
                var relaxed = built.model
                for v in 0 ..< relaxed.variableCount { relaxed.setKind(of: Variable(index: v), to: .continuous) }
                var solveOptions = SolveOptions()
                solveOptions.deadline = deadline.fraction(0.3)
                let solved = solver.solve(relaxed, options: solveOptions)
                solves += 1
                if solved.status == .optimal, let value = solved.objective {
                    result.bound = min(current.traffic, AchievableTraffic(sizes: Self.moveSizes(problem), limit: current.traffic).roundUp(value))
                    result.method = .relaxation
                }
            }
            if result.bound < current.traffic {
                searchWindows(&incumbentProblem, current: &current, deadline: deadline, solves: &solves)
            }
        }
        result.order = incumbentProblem.schedule.order
        result.traffic = current.traffic
        result.bound = min(result.bound, current.traffic)
        result.solves = solves
        return result
    }

    /// A fixed-order replacement of `problem` (addresses ignored).
    struct Replacement {
        var traffic: Int
        var bound: Int
        var residencies: [Residency]
        var stored: Set<Int>
        /// The largest batch of its fixed-order ILP (variables, rows).
        var model: (variables: Int, rows: Int) = (0, 0)
    }

    func fixedOrder(_ problem: ScratchpadProblem, deadline: Deadline, solves: inout Int) -> Replacement? {
        let ilp = CompactReplacementILP(problem: problem)
        guard let seed = try? ReplacementSimulation(problem: problem, policy: .belady).run(budget: problem.capacity) else { return nil }
        var options = self.options
        options.progress = nil
        let search = ReplacementSearch(ilp: ilp, solver: solver, options: options)
        guard let solved = try? search.solve(capacity: problem.capacity, start: ilp.evictions(from: seed.residencies),
                                             deadline: deadline) else { return nil }
        solves += solved.solves
        let decisions = ilp.decode(evicted: solved.evicted)
        return Replacement(traffic: solved.traffic, bound: solved.bound, residencies: decisions.residencies, stored: decisions.stored,
                           model: solved.largestBatch)
    }

    /// Windows of `windowLength` steps, sliding by half, re-ordered in turn
    /// until a pass improves nothing or the deadline passes.
    func searchWindows(_ problem: inout ScratchpadProblem, current: inout Replacement, deadline: Deadline, solves: inout Int) {
        let steps = problem.schedule.count
        var improved = true
        passes: while improved {
            improved = false
            var first = 0
            while first < steps - 1 {
                let left = deadline.remaining ?? .infinity
                guard left > 0.2 else { break passes }
                if current.traffic == 0 { break passes }
                let last = min(steps - 1, first + windowLength - 1)
                let windows = ScheduleWindows(order: problem.schedule.order, free: first ... last, graph: problem.graph)
                let ilp = FreeScheduleILP(problem: problem, windows: windows, formulation: formulation)
                let (frozen, frozenBytes) = FreeSchedulePlanner.freeze(outside: first ... last, problem: problem,
                                                                        residencies: current.residencies)
                let built = ilp.build(capacity: problem.capacity, frozen: frozen, frozenBytes: frozenBytes)
                let start = ilp.warmStart(order: problem.schedule.order, residencies: current.residencies,
                                          stored: current.stored, built: built)
                var solveOptions = options
                solveOptions.timeLimit = min(windowSeconds, left)
                solveOptions.deadline = deadline
                solveOptions.warmStart = formulation.warmStart ? start : nil
                solveOptions.progress = nil
                let solved = solver.solve(built.model, options: solveOptions)
                solves += 1
                // Frozen tensors' traffic is not in the objective: compare with the start's.
                if solved.status.hasSolution, let objective = solved.objective,
                   objective < built.model.objectiveValue(at: start) - 0.5,
                   let candidate = try? problem.reordered(ilp.order(from: solved.values, built: built)),
                   let planned = fixedOrder(candidate, deadline: deadline.capped(at: windowSeconds), solves: &solves),
                   planned.traffic < current.traffic {
                    report?("steps \(first)...\(last) re-ordered: traffic \(current.traffic) -> \(planned.traffic) B")
                    current = planned
                    problem = candidate
                    improved = true
                }
                first += max(1, windowLength / 2)
            }
        }
    }

    /// Whether the order is the only one: each operator reads something the
    /// one before it writes. O(operators + edges).
    static func isForced(_ problem: ScratchpadProblem) -> Bool {
        let graph = problem.graph
        let order = problem.schedule.order
        for (previous, o) in zip(order, order.dropFirst()) {
            guard graph.operators[o].reads.contains(where: { graph.producers[$0] == previous }) else { return false }
        }
        return true
    }

    /// The bytes of every move an optimal plan may make: per tensor, one
    /// reload per use after the first (or per use, for activations, whose
    /// first use is their production) and one store. O(tensors).
    static func moveSizes(_ problem: ScratchpadProblem) -> [Int] {
        var sizes: [Int] = []
        for (t, uses) in problem.uses.enumerated() where uses.count >= 2 && problem.bytes(t) > 0 {
            let moves = uses.count - 1 + (problem.startsInHost(t) || problem.isGraphOutput[t] ? 0 : 1)
            sizes += [Int](repeating: problem.bytes(t), count: moves)
        }
        return sizes
    }
}
