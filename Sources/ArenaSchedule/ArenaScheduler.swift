import Allocation
import MILP
import MemoryGraph
import Plan

/// How ``ArenaScheduler`` chooses the operator order.
public enum ScheduleMethod: String, Sendable, CaseIterable, Codable {
    /// The heuristics, then the exact search; the order ILP when the search
    /// stops at its state limit with time left; the joint ILP for small
    /// graphs whose arena reaches above the peak.
    case auto
    /// The heuristics, then the exact search over down-sets.
    case dp
    /// The heuristics, then the order ILP (and the joint ILP when small).
    case ilp
    /// The best of the heuristic orders only.
    case heuristic
}

public struct ArenaScheduleOptions: Sendable {
    public var method: ScheduleMethod
    /// The MILP backend of the ILPs.
    public var solver: any Solver
    /// The wall-clock budget of the whole request; every phase takes a
    /// share of what is left, and the best answer so far is returned.
    public var deadline: Deadline
    /// States the exact search may hold at once (memory: see ``PeakSearch``).
    public var maxStates: Int
    /// One line per phase for people (progress, on standard error in the CLI).
    public var report: (@Sendable (String) -> Void)?

    public init(method: ScheduleMethod = .auto, solver: any Solver = CBCSolver(), deadline: Deadline = .none,
                maxStates: Int = 4_000_000, report: (@Sendable (String) -> Void)? = nil) {
        self.method = method
        self.solver = solver
        self.deadline = deadline
        self.maxStates = maxStates
        self.report = report
    }
}

/// The answer: an order, offsets, and how close both are to the best.
public struct ArenaScheduleResult: Sendable {
    public var problem: ArenaProblem
    /// The chosen order with its offsets: the smallest height found.
    public var packing: ArenaPacking
    /// A lower bound on the height of every order and placement.
    public var lowerBound: Int
    /// A lower bound on the peak of every order.
    public var peakLowerBound: Int
    /// The lowest peak of any order found (the chosen order's peak may be
    /// higher when another order packs lower).
    public var minimumPeak: Int
    /// The given order, packed by the Allocation portfolio.
    public var givenOrder: ArenaPacking
    /// Who found the chosen order: `given`, `xla-list`, `inductor`, `dp`,
    /// `dp-alternative`, `ilp`, `joint-ilp`.
    public var method: String
    /// The methods that ran, in order.
    public var methodsRun: [String]
    /// Peaks of the heuristic orders: `given`, `xla-list`, `inductor`.
    public var heuristicPeaks: [String: Int]
    /// The lower bounds that were computed: `footprint`, `ancestorCut`,
    /// `dp`, `ilp` (peak), `jointIlp` (height).
    public var bounds: [String: Int]
    public var search: PeakSearch.Outcome?
    public var ilp: PeakILP.Outcome?
    public var joint: JointArenaILP.Outcome?
    /// The single-tier plan (see ``ArenaPlan``), not yet verified.
    public var plan: Plan

    public var height: Int { packing.height }
    public var peak: Int { packing.peak }
    /// The height is proven the smallest over every order and placement.
    public var optimal: Bool { packing.height <= lowerBound }
    /// The lowest peak found is proven the smallest over every order.
    public var peakOptimal: Bool { minimumPeak <= peakLowerBound }
}

public enum ArenaScheduleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offset allocator refused the tensors (sizes beyond 64 bits).
    case allocation(String)

    public var description: String {
        switch self {
        case .allocation(let reason): return "the arena cannot be packed: \(reason)"
        }
    }
}

/// The smallest arena a graph can run in: an operator order and an offset
/// for every tensor, with a lower bound valid for every order.
///
/// 1. Lower bounds: every operator's reads plus writes, the ancestor cut
///    (``Reachability/certainLiveBytes(_:)``) and the minimum cut
///    (``MinimumCutBound``).
/// 2. Heuristic orders (``OrderHeuristics``): the given one, XLA's list
///    scheduler, Inductor's reordering; the given order is packed by the
///    Allocation portfolio for the baseline.
/// 3. The order with the smallest peak: the exact search (``PeakSearch``)
///    and, or, the order ILP (``PeakILP``), each from the best so far.
/// 4. Addresses: the best orders are packed; while the arena reaches above
///    the peak bound, other orders within the best peak (``BudgetedOrders``)
///    are packed too, and on small graphs the joint ILP (``JointArenaILP``)
///    bounds the height itself. The answer is never above the given
///    order's packing.
///
/// Time: the deadline is shared out phase by phase (each takes a fraction
/// of what is left); memory: see the phases.
public struct ArenaScheduler: Sendable {
    public var options: ArenaScheduleOptions

    public init(options: ArenaScheduleOptions = ArenaScheduleOptions()) { self.options = options }

    public func schedule(_ graph: Graph) throws(ArenaScheduleError) -> ArenaScheduleResult {
        let problem = ArenaProblem(graph: graph)
        let deadline = options.deadline
        func say(_ line: String) { options.report?(line) }

        // 1. Bounds valid for every order.
        var bounds: [String: Int] = ["footprint": problem.largestFootprint]
        if let reachability = Reachability(problem: problem, order: problem.givenOrder) {
            let certain = reachability.certainLiveBytes(problem)
            bounds["ancestorCut"] = certain.max() ?? 0
            if options.method != .heuristic {
                bounds["minimumCut"] = MinimumCutBound.bound(problem, certain: certain, deadline: deadline.fraction(0.1))
            }
        }
        var peakLowerBound = bounds.values.max() ?? 0

        // 2. Heuristics.
        var orders: [(name: String, order: [Int])] = [
            ("given", problem.givenOrder), ("xla-list", OrderHeuristics.xlaList(problem)), ("inductor", OrderHeuristics.inductor(problem)),
        ]
        var heuristicPeaks: [String: Int] = [:]
        for (name, order) in orders { heuristicPeaks[name] = problem.peak(of: order) }
        var best = orders.min { problem.peak(of: $0.order) < problem.peak(of: $1.order) } ?? ("given", [])
        var bestPeak = problem.peak(of: best.order)
        var methodsRun = ["heuristics"]
        say("heuristics: given \(heuristicPeaks["given"] ?? 0) B, xla-list \(heuristicPeaks["xla-list"] ?? 0) B, inductor \(heuristicPeaks["inductor"] ?? 0) B; lower bound \(peakLowerBound) B")
        let givenOrder = try pack(problem, problem.givenOrder, method: .auto, seconds: min(10, deadline.remaining.map { $0 * 0.1 } ?? 10))

        // 3. The smallest peak.
        var search: PeakSearch.Outcome?
        var ilp: PeakILP.Outcome?
        if options.method == .auto || options.method == .dp, bestPeak > peakLowerBound {
            let share = 0.75
            let limits = PeakSearch.Limits(maxStates: options.maxStates, deadline: deadline.fraction(share))
            let outcome = PeakSearch(limits: limits).minimumPeak(problem, incumbent: best.order, lowerBound: peakLowerBound)
            search = outcome
            methodsRun.append("dp")
            bounds["dp"] = outcome.lowerBound
            peakLowerBound = max(peakLowerBound, outcome.lowerBound)
            if outcome.peak < bestPeak {
                best = ("dp", outcome.order)
                bestPeak = outcome.peak
            }
            say("dp: peak \(outcome.peak) B, bound \(outcome.lowerBound) B, \(outcome.states) states in \(outcome.searchedStretches) of \(outcome.stretches) stretches" + (outcome.stop.map { ", stopped at the \($0.rawValue)" } ?? ""))
        }
        // Auto asks the ILP only when the search ran out of memory with time
        // left: within the same time the search's bound is the stronger.
        let wantsILP = options.method == .ilp
            || (options.method == .auto && bestPeak > peakLowerBound && search?.stop == .stateLimit && !deadline.expired)
        if wantsILP {
            var solveOptions = SolveOptions(timeLimit: deadline.remaining.map { $0 * (options.method == .ilp ? 0.7 : 0.5) } ?? 60)
            solveOptions.deadline = deadline
            if let outcome = PeakILP().solve(problem, start: best.order, lowerBound: peakLowerBound, solver: options.solver, options: solveOptions) {
                ilp = outcome
                methodsRun.append("ilp")
                bounds["ilp"] = outcome.bound
                peakLowerBound = max(peakLowerBound, min(outcome.bound, bestPeak))
                if let order = outcome.order, let peak = outcome.peak, peak < bestPeak {
                    best = ("ilp", order)
                    bestPeak = peak
                }
                say("ilp: \(outcome.status.rawValue), peak \(outcome.peak.map(String.init) ?? "-") B, bound \(outcome.bound) B, \(outcome.variables) variables, \(String(format: "%.1f", outcome.seconds)) s")
            } else {
                say("ilp: the graph is too large for the order ILP")
            }
        }
        peakLowerBound = min(peakLowerBound, bestPeak)

        // 4. Addresses.
        if !orders.contains(where: { $0.order == best.order }) { orders.insert(best, at: 0) }
        var chosen = givenOrder
        var chosenBy = "given"
        func consider(_ packing: ArenaPacking, by name: String) {
            bestPeak = min(bestPeak, packing.peak)
            if packing.height < chosen.height || (packing.height == chosen.height && packing.peak < chosen.peak) {
                chosen = packing
                chosenBy = name
            }
        }
        for (name, order) in orders.sorted(by: { problem.peak(of: $0.order) < problem.peak(of: $1.order) }) {
            consider(try pack(problem, order, method: .greedy, seconds: nil), by: name)
        }
        // Other orders of the best peak found may pack lower; none can pack
        // below it, so only a height above it is worth their time.
        if chosen.height > bestPeak, options.method != .heuristic, !deadline.expired {
            let nodes = max(10_000, 40_000_000 / max(1, problem.operatorCount))
            let alternatives = BudgetedOrders(problem: problem).orders(budget: bestPeak, count: 24, seed: 1,
                                                                    nodeLimit: min(400_000, nodes), deadline: deadline.fraction(0.3))
            for order in alternatives { consider(try pack(problem, order, method: .greedy, seconds: nil), by: "dp-alternative") }
            if alternatives.count > 0 { methodsRun.append("alternatives") }
        }
        var joint: JointArenaILP.Outcome?
        var heightBound = peakLowerBound
        if chosen.height > peakLowerBound, options.method == .auto || options.method == .ilp, !deadline.expired {
            var solveOptions = SolveOptions(timeLimit: deadline.remaining.map { $0 * 0.6 } ?? 60)
            solveOptions.deadline = deadline
            if let outcome = JointArenaILP().solve(problem, start: chosen, lowerBound: peakLowerBound, solver: options.solver, options: solveOptions) {
                joint = outcome
                methodsRun.append("joint-ilp")
                bounds["jointIlp"] = outcome.bound
                heightBound = max(heightBound, min(outcome.bound, chosen.height))
                if let packing = outcome.packing { consider(packing, by: "joint-ilp") }
                say("joint ilp: \(outcome.status.rawValue), height \(outcome.packing.map { String($0.height) } ?? "-") B, bound \(outcome.bound) B")
            }
        }
        if chosen.height > max(heightBound, chosen.peak), !deadline.expired {
            let polished = try pack(problem, chosen.order, method: .auto, seconds: deadline.remaining.map { $0 * 0.5 } ?? 10)
            consider(polished, by: chosenBy)
        }
        heightBound = min(heightBound, chosen.height)
        let method = chosenBy
        let plan = ArenaPlan.make(problem, packing: chosen, lowerBound: heightBound, method: "arena-\(method)")
        return ArenaScheduleResult(problem: problem, packing: chosen, lowerBound: heightBound, peakLowerBound: peakLowerBound,
                                   minimumPeak: bestPeak, givenOrder: givenOrder, method: method, methodsRun: methodsRun,
                                   heuristicPeaks: heuristicPeaks, bounds: bounds, search: search, ilp: ilp, joint: joint, plan: plan)
    }

    private func pack(_ problem: ArenaProblem, _ order: [Int], method: AllocationMethod, seconds: Double?) throws(ArenaScheduleError) -> ArenaPacking {
        do {
            return try ArenaPacking.pack(problem, order: order, method: method, timeLimit: seconds)
        } catch {
            throw .allocation("\(error)")
        }
    }
}
