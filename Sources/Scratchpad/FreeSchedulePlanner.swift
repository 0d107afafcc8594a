import MILP
import MemoryGraph
import Plan

/// Chooses the operator order as well as replacement and addresses.
///
/// 1. The fixed-order planner (``ILPPlanner``) on the file order gives the
///    incumbent; with zero non-compulsory traffic it is optimal for every
///    order and nothing more is solved.
/// 2. The graph is cut at the operators every path crosses
///    (``ScheduleSegments``): there the same tensors are live in every
///    order, so traffic and lower bounds add up over the segments between
///    them. A segment whose order is forced is bounded by its part of the
///    fixed-order ILP; every other one is handed to ``SegmentSearch``: the
///    ILP over all its orders when small (solved to optimality when time
///    allows), else its LP relaxation for the bound and windows re-ordered
///    in turn for the plan. Segments are taken largest gap first, each
///    given a share of the time left in proportion to its gap, with a
///    progress line that names it.
/// 3. The segments' best orders are stitched into one order (the scratchpad
///    holds exactly the cut's tensors at each seam) and handed to
///    ``ILPPlanner`` again, which places addresses (and repairs
///    fragmentation); the result is kept only if better. So the plan is
///    never worse than the file order's fixed-order optimum, and the bound
///    (the sum of the segments' bounds) holds for every order.
///
/// Time: everything ends by the deadline (the call's, capped by
/// `options.timeLimit`, or ``defaultTimeLimit`` when neither is given).
/// Memory: O(tensors + steps + Σ gap lengths) for the decomposition and the
/// fixed-order ILP, plus one segment's model at a time (see
/// ``SegmentSearch`` for its bound); no structure is quadratic in the
/// graph (windows are computed per segment).
public struct FreeSchedulePlanner: Sendable {
    public var solver: any Solver
    /// `timeLimit` bounds the whole search (``defaultTimeLimit`` when nil
    /// and no deadline is given); `progress` receives the solves' progress.
    public var options: SolveOptions
    /// A segment's ILP over every order is solved when its windows have at
    /// most this many (operator, step) pairs.
    public var wholeGraphPairs = 3000
    /// Window length of the search in larger segments.
    public var segmentLength = 10
    /// Per window in the search, at most this many seconds.
    public var segmentSeconds = 5.0
    /// Larger segments get the LP relaxation of their ILP over every order
    /// for a bound when it has at most this many pairs.
    public var boundingPairs = 40000
    /// The time limit when neither `options` nor the caller gives one: the
    /// search over orders has no natural end on large graphs.
    public var defaultTimeLimit = 60.0
    /// Which strengthenings the ILP uses (all, by default).
    public var formulation = FreeScheduleFormulation()
    /// One line per step forward (a segment taken up, an accepted order, a bound).
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
        /// A lower bound for the plan's own order (the fixed-order ILP's).
        public var orderBound: Double
        /// The fixed-order optimum (or best found) in the file order.
        public var fileOrderTraffic: Int
        /// Belady in the file order.
        public var baselineTraffic: Int?
        public var solves: Int
        /// Orders accepted because they lowered the traffic.
        public var improvements: Int
        /// The decomposition: segments, and those whose order is free.
        public var segments: Int
        public var freeSegments: Int
        /// Bytes of bound each method contributed (its name → bytes), and
        /// how many segments it bounded.
        public var boundByMethod: [String: Int]
        public var segmentsByMethod: [String: Int]
        /// The largest segment model solved: operators, (operator, step)
        /// pairs of its every-order ILP (its operators when only its
        /// fixed-order ILP was solved), variables and rows.
        public var largestSegment: (operators: Int, pairs: Int, variables: Int, rows: Int)
        /// Seconds from the start until the bound met the traffic (nil: never).
        public var certifiedAfter: Double?
        /// The largest segment ILP solved (compatibility with earlier reports).
        public var wholeVariables: Int?
        public var wholeRows: Int?
        public var wholeSeconds: Double?
    }

    public func plan(_ problem: ScratchpadProblem, deadline: Deadline = .none) throws(BaselinePlanner.Failure) -> Outcome {
        let deadline = deadline.capped(at: options.timeLimit ?? (deadline.isLimited ? .infinity : defaultTimeLimit))
        let fileProblem = problem
        let segmentation = ScheduleSegments(problem)
        let segments = segmentation.segments
        // Detached operators (weights and constants only) just before their first consumer.
        let normalized = segmentation.order(core: segmentation.core, graph: problem.graph)
        let problem = normalized == problem.schedule.order ? problem : ((try? problem.reordered(normalized)) ?? problem)

        var fixedPlanner = ILPPlanner(solver: solver, options: options)
        fixedPlanner.options.timeLimit = nil
        fixedPlanner.report = report
        var fixed = try fixedPlanner.plan(problem, deadline: deadline.fraction(0.5))
        if problem.schedule.order != fileProblem.schedule.order,
           let inFileOrder = try? fixedPlanner.plan(fileProblem, deadline: deadline.fraction(0.15)),
           inFileOrder.plan.metrics.nonCompulsoryBytes < fixed.plan.metrics.nonCompulsoryBytes {
            fixed = inFileOrder
        }
        var best = fixed
        var solves = fixed.solves
        var improvements = 0
        let fileTraffic = fixed.plan.metrics.nonCompulsoryBytes
        func traffic() -> Int { best.plan.metrics.nonCompulsoryBytes }

        var search = SegmentSearch(solver: solver, options: options)
        search.formulation = formulation
        search.exactPairs = wholeGraphPairs
        search.relaxationPairs = boundingPairs
        search.windowLength = segmentLength
        search.windowSeconds = segmentSeconds
        search.report = report

        // Every segment's fixed-order optimum in the current order, time by size.
        var coreOrder = segmentation.core
        var segmentTraffic = [Int](repeating: 0, count: segments.count)
        var segmentBound = [Int](repeating: 0, count: segments.count)
        var boundMethod = [SegmentSearch.BoundMethod](repeating: .trivial, count: segments.count)
        var incumbents = [SegmentSearch.Replacement?](repeating: nil, count: segments.count)
        var subproblems = [SegmentProblem?](repeating: nil, count: segments.count)
        var largest = (operators: 0, pairs: 0, variables: 0, rows: 0)
        var largestSolved: (variables: Int, rows: Int, seconds: Double)?
        var certifiedAfter: Double?
        func allOrdersBound() -> Int { segmentBound.reduce(0, +) }
        func noteCertified() {
            if certifiedAfter == nil, allOrdersBound() >= traffic() { certifiedAfter = deadline.elapsed }
        }
        report?("\(segments.count) segments between cuts every path crosses (\(segments.filter { !$0.isFixed }.count) with a free order), "
            + "\(coreOrder.count) of \(problem.graph.operators.count) operators in them")
        // A graph with one order only (a chain): the fixed-order bound covers every order.
        let forced = SegmentSearch.isForced(problem)
        if forced, traffic() > 0 {
            segmentBound = [Int(best.bound)] + [Int](repeating: 0, count: max(0, segments.count - 1))
            boundMethod = [.fixedOrder] + [SegmentSearch.BoundMethod](repeating: .none, count: max(0, segments.count - 1))
        }
        var operatorsLeft = max(1, coreOrder.count)
        let reserve = { (deadline.remaining ?? 0) * 0.15 }  // for the stitched plan's placement
        for (k, segment) in segments.enumerated() {
            let size = segment.positions.count
            defer { operatorsLeft -= size }
            guard traffic() > 0, !forced else { continue }
            guard !deadline.expired else { break }
            let sub: SegmentProblem
            do {
                sub = try segmentation.subproblem(k, core: coreOrder, of: problem)
            } catch {
                report?("segment \(k + 1): not planned on its own (\(error))")
                continue
            }
            subproblems[k] = sub
            let left = max(0, (deadline.remaining ?? .infinity) - reserve())
            let share = left.isFinite ? max(0.05, left * 0.5 * Double(size) / Double(operatorsLeft)) : .infinity
            guard let (current, result) = search.start(sub.problem, isFixed: segment.isFixed,
                                                       deadline: share.isFinite ? deadline.capped(at: share) : deadline) else {
                report?("segment \(k + 1): no fixed-order plan of its own")
                continue
            }
            solves += result.solves
            if (result.variables, size) > (largest.variables, largest.operators) {
                largest = (size, size, result.variables, result.rows)
            }
            incumbents[k] = current
            segmentTraffic[k] = current.traffic
            segmentBound[k] = result.bound
            boundMethod[k] = result.method
        }
        if traffic() == 0 { for k in segments.indices { boundMethod[k] = .none; segmentBound[k] = 0 } }
        noteCertified()

        // The free segments, largest gap first, each with a share of the time.
        var changed = false
        var open = segments.indices.filter { !segments[$0].isFixed && incumbents[$0] != nil && segmentTraffic[$0] > segmentBound[$0] }
        open.sort { segmentTraffic[$0] - segmentBound[$0] > segmentTraffic[$1] - segmentBound[$1] }
        var totalGap = open.reduce(0) { $0 + segmentTraffic[$1] - segmentBound[$1] }
        for k in open {
            let gap = segmentTraffic[k] - segmentBound[k]
            defer { totalGap -= gap }
            guard traffic() > allOrdersBound(), let sub = subproblems[k], let current = incumbents[k] else { continue }
            let left = (deadline.remaining ?? .infinity) - reserve()
            guard left > 0.05 else { break }
            let seconds = left.isFinite ? left * Double(gap) / Double(max(1, totalGap)) : .infinity
            let range = segments[k].positions
            report?("segment \(k + 1) of \(segments.count) (\(range.count) operators): traffic \(segmentTraffic[k]) B, bound \(segmentBound[k]) B"
                + (seconds.isFinite ? String(format: ", %.1f s", seconds) : ""))
            let clock = Stopwatch()
            let found = search.run(sub.problem, current: current, deadline: seconds.isFinite ? deadline.capped(at: seconds) : deadline)
            solves += found.solves
            if (found.variables, found.pairs) > (largest.variables, largest.pairs) {
                largest = (sub.problem.graph.operators.count, found.pairs, found.variables, found.rows)
            }
            if found.method == .everyOrder, found.variables > (largestSolved?.variables ?? -1) {
                largestSolved = (found.variables, found.rows, clock.seconds)
            }
            if found.bound > segmentBound[k] || boundMethod[k] == .trivial {
                segmentBound[k] = max(segmentBound[k], found.bound)
                boundMethod[k] = found.method
            }
            if found.traffic < segmentTraffic[k] {
                coreOrder.replaceSubrange(range, with: sub.globalOrder(found.order))
                segmentTraffic[k] = found.traffic
                changed = true
            }
            report?("segment \(k + 1): traffic \(segmentTraffic[k]) B, bound \(segmentBound[k]) B (\(boundMethod[k].rawValue))")
        }

        // Stitch: the segments' orders, replacement and addresses planned once more.
        if changed, let candidate = try? problem.reordered(segmentation.order(core: coreOrder, graph: problem.graph)),
           let planned = try? fixedPlanner.plan(candidate, deadline: deadline) {
            solves += planned.solves
            if planned.plan.metrics.nonCompulsoryBytes < traffic() {
                best = planned
                improvements += 1
                report?("stitched order: traffic \(fileTraffic) -> \(traffic()) B")
            }
        }
        // Time left and a gap: the best order once more, with all that time
        // for the addresses (where fragmentation, not the order, costs).
        if traffic() > allOrdersBound(), let left = deadline.remaining, left > 5,
           let again = try? problem.reordered(best.plan.steps.map(\.op)),
           let planned = try? fixedPlanner.plan(again, deadline: deadline) {
            solves += planned.solves
            if planned.plan.metrics.nonCompulsoryBytes < traffic() {
                report?("addresses placed again: traffic \(traffic()) -> \(planned.plan.metrics.nonCompulsoryBytes) B")
                best = planned
            }
        }
        let bestSchedule = (try? Schedule(best.plan.steps.map(\.op), for: problem.graph)) ?? problem.schedule
        noteCertified()
        var plan = best.plan
        plan.method = method
        let bound = min(Double(allOrdersBound()), Double(traffic()))
        plan.metrics.bound = bound
        plan.metrics.solverStatus = bound >= Double(traffic()) ? SolveStatus.optimal.rawValue : SolveStatus.feasible.rawValue
        var boundByMethod: [String: Int] = [:]
        var segmentsByMethod: [String: Int] = [:]
        for k in segments.indices where boundMethod[k] != .none {
            boundByMethod[boundMethod[k].rawValue, default: 0] += segmentBound[k]
            segmentsByMethod[boundMethod[k].rawValue, default: 0] += 1
        }
        return Outcome(plan: plan, schedule: bestSchedule, bound: bound, boundCoversAllOrders: true,
                       orderBound: max(best.bound, bound), fileOrderTraffic: fileTraffic,
                       baselineTraffic: fixed.baselineTraffic, solves: solves, improvements: improvements,
                       segments: segments.count, freeSegments: segments.filter { !$0.isFixed }.count,
                       boundByMethod: boundByMethod, segmentsByMethod: segmentsByMethod, largestSegment: largest,
                       certifiedAfter: certifiedAfter, wholeVariables: largestSolved?.variables,
                       wholeRows: largestSolved?.rows, wholeSeconds: largestSolved?.seconds)
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
    /// switches them off. O(n²/64) memory: for small graphs only.
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
