import MILP
import MemoryGraph
import Plan

/// Chooses the operator order as well as replacement and addresses.
///
/// 1. The fixed-order planner (``ILPPlanner``) on the file order gives the
///    incumbent; with zero non-compulsory traffic it is optimal for every
///    order and nothing more is solved.
/// 2. Small graphs (at most `wholeGraphLimit` operators): one
///    ``FreeScheduleILP`` over all orders, warm-started from the incumbent.
///    Its bound holds for every order.
/// 3. Larger graphs: large-neighbourhood search. A window of
///    `segmentLength` consecutive steps of the incumbent order is freed,
///    every other operator keeps its step, and the same ILP (warm-started,
///    so never worse) re-orders the window and re-decides all replacement.
///    Windows slide by half their length, in passes, until a pass improves
///    nothing or time runs out.
///
/// Every order the ILP proposes is handed to ``ILPPlanner`` again, which
/// places addresses (and repairs fragmentation); it is accepted only if the
/// placed plan is better. So the result is never worse than the file order's
/// fixed-order optimum, and the reported bound is either valid for every
/// order (case 1 and 2) or for the returned order (case 3).
public struct FreeSchedulePlanner: Sendable {
    public var solver: any Solver
    /// `timeLimit` bounds the whole search (``defaultTimeLimit`` when nil);
    /// `progress` receives every solve's.
    public var options: SolveOptions
    /// One ILP over every order when the windows allow at most this many
    /// (operator, step) pairs; chains of operators have windows of one step,
    /// so this admits long chain-like graphs and excludes wide ones.
    public var wholeGraphPairs = 600
    public var segmentLength = 10
    /// Per window in the search, at most this many seconds.
    public var segmentSeconds = 10.0
    /// After the search, with a time limit and at least 10 s of it left, the
    /// ILP over every order is solved (for its bound) when its windows have
    /// at most this many (operator, step) pairs.
    public var boundingPairs = 3000
    /// The time limit when `options` has none: the search over orders has no
    /// natural end on large graphs.
    public var defaultTimeLimit = 60.0
    /// Which strengthenings the ILP uses (all, by default).
    public var formulation = FreeScheduleFormulation()
    /// One line per step forward (an accepted order, a bound).
    public var report: (@Sendable (String) -> Void)?

    public init(solver: any Solver = CBCSolver(), options: SolveOptions = SolveOptions()) {
        self.solver = solver
        self.options = options
    }

    public var method: String { "ilp-free-schedule-\(solver.name)" }

    public struct Outcome: Sendable {
        public var plan: Plan
        /// The order of the plan.
        public var schedule: Schedule
        /// A lower bound on the non-compulsory traffic...
        public var bound: Double
        /// ...of every order (true) or of `schedule` only (false).
        public var boundCoversAllOrders: Bool
        /// The fixed-order optimum (or best found) in the file order.
        public var fileOrderTraffic: Int
        /// Belady in the file order.
        public var baselineTraffic: Int?
        public var solves: Int
        /// Orders accepted because they lowered the traffic.
        public var improvements: Int
        /// The ILP over every order, when it was solved: its size and time.
        public var wholeVariables: Int?
        public var wholeRows: Int?
        public var wholeSeconds: Double?
    }

    /// O(solver) per window; windows per pass: 2 · steps / segmentLength.
    public func plan(_ problem: ScratchpadProblem) throws(BaselinePlanner.Failure) -> Outcome {
        let clock = Stopwatch()
        let limit = options.timeLimit ?? defaultTimeLimit
        func remaining() -> Double { max(0, limit - clock.seconds) }
        var fixedOptions = options
        fixedOptions.timeLimit = max(1, limit / 5)
        let fixed = try ILPPlanner(solver: solver, options: fixedOptions).plan(problem)
        var best = fixed
        var bestProblem = problem
        // The incumbent's residencies, the warm start of every solve: read
        // again only when the incumbent changes.
        var start = PlanResidencies.read(best.plan, problem: bestProblem)
        var solves = fixed.solves
        var improvements = 0
        var allOrdersBound: Double?
        let fileTraffic = fixed.plan.metrics.nonCompulsoryBytes
        func traffic() -> Int { best.plan.metrics.nonCompulsoryBytes }

        /// Solves the ILP over `windows`; adopts the order it finds when the
        /// fixed-order planner turns it into a better plan.
        var wholeSize: (variables: Int, rows: Int, seconds: Double)?
        func improve(over windows: ScheduleWindows, seconds: Double, freezing: ClosedRange<Int>? = nil) -> SolveResult? {
            let ilp = FreeScheduleILP(problem: bestProblem, windows: windows, formulation: formulation)
            var frozen = Set<Int>()
            var frozenBytes: [Int] = []
            if let window = freezing {
                (frozen, frozenBytes) = Self.freeze(outside: window, problem: bestProblem, residencies: start.residencies)
            }
            let built = ilp.build(capacity: problem.capacity, frozen: frozen, frozenBytes: frozenBytes)
            let warmStart = ilp.warmStart(order: bestProblem.schedule.order, residencies: start.residencies,
                                          stored: start.stored, built: built)
            var solveOptions = options
            solveOptions.timeLimit = seconds
            solveOptions.warmStart = formulation.warmStart ? warmStart : nil
            if freezing != nil { solveOptions.progress = nil }
            let result = solver.solve(built.model, options: solveOptions)
            solves += 1
            if freezing == nil { wholeSize = (built.model.variableCount, built.model.constraintCount, result.seconds) }
            // Frozen tensors' traffic is not in the objective: compare with the start's.
            let incumbent = freezing == nil ? Double(traffic()) : built.model.objectiveValue(at: warmStart)
            guard result.status.hasSolution, let objective = result.objective,
                  objective < incumbent - 0.5 else { return result }
            let order = ilp.order(from: result.values, built: built)
            guard let candidate = try? bestProblem.reordered(order),
                  let planned = try? ILPPlanner(solver: solver, options: fixedOptions).plan(candidate) else { return result }
            solves += planned.solves
            if planned.plan.metrics.nonCompulsoryBytes < traffic() {
                best = planned
                bestProblem = candidate
                start = PlanResidencies.read(best.plan, problem: bestProblem)
                improvements += 1
            }
            return result
        }

        let steps = problem.schedule.count
        let whole = wholeWindows(problem.graph)
        /// The ILP over every order, for a bound that covers them all.
        func solveWhole(seconds: Double) {
            let result = improve(over: whole, seconds: seconds)
            report?("every order (\(whole.pairCount) operator-step pairs): traffic \(traffic()) B, bound \(Int(result?.bound ?? 0)) B")
            if let result, result.status.hasSolution, let bound = result.bound {
                // Traffic is a sum of whole bytes: a fractional bound rounds up.
                allOrdersBound = max(0, (bound - 1e-6).rounded(.up))
            }
        }
        if traffic() == 0 {
            allOrdersBound = 0
        } else if whole.pairCount <= wholeGraphPairs {
            solveWhole(seconds: remaining())
        } else {
            var improved = true
            passes: while improved {
                improved = false
                var first = 0
                while first < steps - 1 {
                    if remaining() < 1 { break passes }
                    if traffic() == 0 { break passes }
                    let last = min(steps - 1, first + segmentLength - 1)
                    let windows = ScheduleWindows(order: bestProblem.schedule.order, free: first ... last, graph: problem.graph)
                    let before = traffic()
                    _ = improve(over: windows, seconds: min(segmentSeconds, remaining()), freezing: first ... last)
                    if traffic() < before {
                        improved = true
                        report?("steps \(first)...\(last) re-ordered: traffic \(before) -> \(traffic()) B")
                    }
                    first += max(1, segmentLength / 2)
                }
            }
            // With time left, the whole ILP from the search's best: a bound
            // for every order, and perhaps a better order still.
            if traffic() > 0, whole.pairCount <= boundingPairs, remaining() >= 10 {
                solveWhole(seconds: remaining())
            }
        }

        if traffic() == 0 { allOrdersBound = 0 }
        var plan = best.plan
        plan.method = method
        let orderBound = best.bound
        let bound: Double
        let coversAll: Bool
        if let allOrdersBound {
            bound = allOrdersBound
            coversAll = true
        } else {
            bound = orderBound
            coversAll = false
        }
        plan.metrics.bound = bound
        return Outcome(plan: plan, schedule: bestProblem.schedule, bound: bound, boundCoversAllOrders: coversAll,
                       fileOrderTraffic: fileTraffic, baselineTraffic: fixed.baselineTraffic, solves: solves,
                       improvements: improvements, wholeVariables: wholeSize?.variables, wholeRows: wholeSize?.rows,
                       wholeSeconds: wholeSize?.seconds)
    }
}


extension FreeSchedulePlanner {
    /// The size of the ILP over every order for `problem` under this
    /// planner's formulation, without solving it: (variables, rows, nonzeros).
    public func wholeModelSize(_ problem: ScratchpadProblem) -> (variables: Int, rows: Int, nonzeros: Int) {
        let ilp = FreeScheduleILP(problem: problem, windows: wholeWindows(problem.graph), formulation: formulation)
        let model = ilp.build(capacity: problem.capacity).model
        return (model.variableCount, model.constraintCount, model.nonzeroCount)
    }

    /// Windows over every order: ASAP/ALAP, or none when the formulation
    /// switches them off.
    func wholeWindows(_ graph: Graph) -> ScheduleWindows {
        formulation.windows ? ScheduleWindows(graph: graph) : ScheduleWindows(unrestricted: graph)
    }

    /// The tensors whose every use lies outside `window` (steps of
    /// `problem`'s order), and the bytes their residencies hold per step.
    /// O(tensors + Σ residency lengths).
    static func freeze(outside window: ClosedRange<Int>, problem: ScratchpadProblem,
                       residencies: [Residency]) -> (Set<Int>, [Int]) {
        var frozen = Set<Int>()
        for (t, uses) in problem.uses.enumerated() {
            guard let first = uses.first, let last = uses.last else { continue }
            if last < window.lowerBound || first > window.upperBound { frozen.insert(t) }
        }
        var bytes = [Int](repeating: 0, count: problem.need.count)
        for residency in residencies where frozen.contains(residency.tensor) {
            let uses = problem.uses[residency.tensor]
            let from = max(residency.first, uses.first!), to = min(residency.last, uses.last!)
            guard from <= to else { continue }
            for s in from ... to { bytes[s] += problem.bytes(residency.tensor) }
        }
        return (frozen, bytes)
    }
}
