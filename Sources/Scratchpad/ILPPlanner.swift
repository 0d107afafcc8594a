import MILP
import Plan

/// Optimal replacement for the file's operator order, in two phases: the
/// compact ILP (``CompactReplacementILP``) chooses evictions and stores
/// against the capacity in bytes, component by component
/// (``ReplacementSearch``), warm-started from Belady; the offset allocator
/// then places each residency stretch. The ILP optimum ignores addresses,
/// so it is a lower bound on any plan for this order: when the stretches
/// fit, the plan is proven optimal. When they do not (real fragmentation),
/// the ILP is solved again with a smaller byte budget at the steps where
/// the addresses overflowed, until they fit, and the gap to the bound is
/// reported. The result is never worse than
/// the Belady baseline, which is returned when it is better.
///
/// Bounds are rounded up to the next traffic a plan can have (a sum of
/// tensor sizes), and each solve stops as soon as that meets the incumbent.
///
/// Time: everything stops at the deadline (``plan(_:deadline:)`` and
/// `options.timeLimit` from the call, whichever is earlier), returning the
/// best verified-feasible plan found; the repair loop runs at most 100
/// rounds. Once the deadline has passed during the Belady baseline (or
/// before), its plan or its failure is the result: the ILP is not built. Memory: O(tensors + steps + gaps + Σ gap lengths), plus one
/// batch's model at a time.
public struct ILPPlanner: Sendable {
    public var solver: any Solver
    public var options: SolveOptions
    /// Progress lines naming the steps being closed.
    public var report: (@Sendable (String) -> Void)?

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
        /// Variables and rows of the largest batch's model.
        public var largestModel: (variables: Int, rows: Int) = (0, 0)
    }

    public func plan(_ problem: ScratchpadProblem, deadline: Deadline = .none) throws(BaselinePlanner.Failure) -> Outcome {
        let deadline = options.timeLimit.map { deadline.capped(at: $0) } ?? deadline
        // Below M_R no plan exists in any order: say which operator, as the baseline does.
        for s in problem.need.indices where problem.footprint(atStep: s) > problem.capacity {
            let op = problem.graph.operators[problem.schedule.order[s]].name
            throw .operatorTooLarge(op: op, footprint: problem.footprint(atStep: s), capacity: problem.capacity)
        }
        let baseline: Plan?
        do {
            baseline = try BaselinePlanner(policy: .belady).plan(problem, deadline: deadline.fraction(0.35))
        } catch {
            // No time left for the ILP: its first round would place Belady's
            // residencies again (seconds on large graphs), so the baseline's
            // answer is the answer.
            if deadline.expired { throw error }
            baseline = nil
        }
        if deadline.expired, let baseline {
            var kept = baseline
            kept.metrics.bound = nil
            return Outcome(plan: kept, bound: 0, baselineTraffic: baseline.metrics.nonCompulsoryBytes, solves: 0)
        }
        let ilp = CompactReplacementILP(problem: problem)
        var search = ReplacementSearch(ilp: ilp, solver: solver, options: options)
        search.report = report
        // Byte budgets per step: the capacity, lowered where addresses did not fit.
        var capacities = [Int](repeating: problem.capacity, count: problem.need.count)
        var bound: Int?
        var largest = (variables: 0, rows: 0)
        var solves = 0
        var lastHeight = 0
        func keeping(_ baseline: Plan) -> Outcome {
            var kept = baseline
            kept.metrics.bound = bound.map(Double.init)
            return Outcome(plan: kept, bound: Double(bound ?? 0), baselineTraffic: baseline.metrics.nonCompulsoryBytes,
                           solves: solves, largestModel: largest)
        }
        rounds: for round in 0 ..< 100 {
            if round > 0, deadline.expired { break }
            // Belady at the smallest budget seeds the solver (feasible at every step).
            let seed = try? ReplacementSimulation(problem: problem, policy: .belady).run(budget: capacities.min() ?? problem.capacity)
            let result: ReplacementSearch.Result
            do {
                result = try search.solve(capacities: capacities, start: seed.map { ilp.evictions(from: $0.residencies) },
                                          deadline: deadline)
            } catch {
                if let baseline { return keeping(baseline) }
                if case .infeasible = error, round == 0 {
                    throw .allocator("the replacement ILP is infeasible at \(problem.capacity) bytes")
                }
                throw .fragmentation(capacity: problem.capacity, height: lastHeight)
            }
            solves += result.solves
            if bound == nil {
                bound = result.bound
                largest = result.largestBatch
            }
            let decisions = ilp.decode(evicted: result.evicted)
            let placement: ResidencyPlacement.Outcome
            do {
                // A quarter of the time left (2 to 20 s) for addresses: a fit here saves traffic.
                placement = try ResidencyPlacement.place(decisions.residencies, problem: problem,
                                                         searchSeconds: min(20, max(2, (deadline.remaining ?? 80) / 4)),
                                                         deadline: deadline)
            } catch {
                throw .allocator("\(error)")
            }
            switch placement {
            case .placed(let offsets, _):
                let outcome = ResidencySchedule.outcome(residencies: decisions.residencies, stored: decisions.stored, problem: problem)
                var plan = PlanAssembly(problem: problem, outcome: outcome, offsets: offsets, method: method).plan()
                plan.metrics.objective = Double(result.traffic)
                plan.metrics.bound = bound.map(Double.init)
                plan.metrics.solverStatus = plan.metrics.nonCompulsoryBytes <= (bound ?? 0)
                    ? SolveStatus.optimal.rawValue : SolveStatus.feasible.rawValue
                if let baseline, baseline.metrics.nonCompulsoryBytes < plan.metrics.nonCompulsoryBytes {
                    return keeping(baseline)
                }
                return Outcome(plan: plan, bound: Double(bound ?? 0), baselineTraffic: baseline?.metrics.nonCompulsoryBytes,
                               solves: solves, largestModel: largest)
            case .tooTall(let height, let overflow):
                // Lower the budget only where the addresses overflowed, by the
                // overflow and at least 1 % of the capacity.
                lastHeight = height
                var lowered = false
                for s in overflow.indices where overflow[s] > 0 {
                    let next = capacities[s] - max(overflow[s], problem.capacity / 100, 1)
                    guard next >= problem.footprint(atStep: s) else { continue }
                    capacities[s] = next
                    lowered = true
                }
                if !lowered {
                    // Nowhere left to lower locally: everywhere, as the baseline does.
                    let next = (capacities.min() ?? problem.capacity) - max(height - problem.capacity, problem.capacity / 100, 1)
                    guard next > 0 else { break rounds }
                    for s in capacities.indices { capacities[s] = min(capacities[s], next) }
                }
            }
        }
        if let baseline { return keeping(baseline) }
        throw .fragmentation(capacity: problem.capacity, height: lastHeight)
    }
}
