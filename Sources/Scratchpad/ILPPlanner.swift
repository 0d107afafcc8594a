import MILP
import Plan

/// Optimal replacement for the file's operator order, in two phases: the
/// compact ILP (``CompactReplacementILP``) chooses evictions and stores
/// against the capacity in bytes, warm-started from Belady; the offset
/// allocator then places each residency stretch. The ILP optimum ignores
/// addresses, so it is a lower bound on any plan for this order: when the
/// stretches fit, the plan is proven optimal. When they do not (real
/// fragmentation), the ILP is solved again against a smaller byte budget
/// until they fit, and the gap to the bound is reported. The result is never
/// worse than the Belady baseline, which is returned when it is better.
public struct ILPPlanner: Sendable {
    public var solver: any Solver
    public var options: SolveOptions

    public init(solver: any Solver = CBCSolver(), options: SolveOptions = SolveOptions()) {
        self.solver = solver
        self.options = options
    }

    public var method: String { "ilp-fixed-order-\(solver.name)" }

    public struct Outcome: Sendable {
        public var plan: Plan
        /// Lower bound on the non-compulsory traffic of any plan in this order.
        public var bound: Double
        /// Non-compulsory traffic of the Belady baseline, for comparison.
        public var baselineTraffic: Int?
        public var solves: Int
    }

    public func plan(_ problem: ScratchpadProblem) throws(BaselinePlanner.Failure) -> Outcome {
        // Below M_R no plan exists in any order: say which operator, as the baseline does.
        for s in problem.need.indices where problem.footprint(atStep: s) > problem.capacity {
            let op = problem.graph.operators[problem.schedule.order[s]].name
            throw .operatorTooLarge(op: op, footprint: problem.footprint(atStep: s), capacity: problem.capacity)
        }
        let baseline = try? BaselinePlanner(policy: .belady).plan(problem)
        let ilp = CompactReplacementILP(problem: problem)
        var capacity = problem.capacity
        var bound: Double?
        var solves = 0
        var lastHeight = 0
        let clock = Stopwatch()
        func keeping(_ baseline: Plan) -> Outcome {
            Outcome(plan: baseline, bound: bound ?? 0, baselineTraffic: baseline.metrics.nonCompulsoryBytes, solves: solves)
        }
        while true {
            // Belady at this byte budget seeds the solver.
            let seed = try? ReplacementSimulation(problem: problem, policy: .belady).run(budget: capacity)
            let built = ilp.build(capacity: capacity)
            var solveOptions = options
            if let limit = options.timeLimit { solveOptions.timeLimit = max(1, limit - clock.seconds) }
            if let seed { solveOptions.warmStart = ilp.warmStart(from: seed.residencies, built: built) }
            let result = solver.solve(built.model, options: solveOptions)
            solves += 1
            if bound == nil { bound = max(0, result.bound ?? 0) }
            guard result.status.hasSolution else {
                if let baseline { return keeping(baseline) }
                if case .infeasible = result.status, capacity == problem.capacity {
                    throw .allocator("the replacement ILP is infeasible at \(capacity) bytes")
                }
                throw .fragmentation(capacity: problem.capacity, height: lastHeight)
            }
            let decisions = ilp.decode(result.values, built: built)
            let placement: ResidencyPlacement.Outcome
            do {
                placement = try ResidencyPlacement.place(decisions.residencies, problem: problem)
            } catch {
                throw .allocator("\(error)")
            }
            switch placement {
            case .placed(let offsets, _):
                let outcome = ResidencySchedule.outcome(residencies: decisions.residencies, stored: decisions.stored, problem: problem)
                var plan = PlanAssembly(problem: problem, outcome: outcome, offsets: offsets, method: method).plan()
                plan.metrics.objective = result.objective
                plan.metrics.bound = bound
                plan.metrics.solverStatus = result.status.rawValue
                if let baseline, baseline.metrics.nonCompulsoryBytes < plan.metrics.nonCompulsoryBytes {
                    var kept = baseline
                    kept.metrics.bound = bound
                    return keeping(kept)
                }
                return Outcome(plan: plan, bound: bound ?? 0, baselineTraffic: baseline?.metrics.nonCompulsoryBytes, solves: solves)
            case .tooTall(let height):
                lastHeight = height
                let next = capacity - max(height - problem.capacity, problem.capacity / 100, 1)
                guard next > 0 else {
                    if let baseline { return keeping(baseline) }
                    throw .fragmentation(capacity: problem.capacity, height: height)
                }
                capacity = next
            }
        }
    }
}
