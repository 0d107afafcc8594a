import MILP
import Synchronization

/// Which method ``Portfolio`` uses.
public enum AllocationMethod: String, Sendable, CaseIterable, Codable {
    /// Greedy passes first; then, when a capacity is missed or a gap
    /// remains, the exact search on problems small enough to search and
    /// the peak repair (``PeakRepair``) on larger ones.
    case auto
    /// The greedy passes only.
    case greedy
    /// Greedy passes, then the exact search (fit, or minimise the height).
    case search
    /// Greedy passes, then the ILP warm-started from them.
    case ilp
}

public struct PortfolioOptions: Sendable {
    public var method: AllocationMethod = .auto
    /// Wall-clock seconds for the whole call, greedy passes included;
    /// `nil`: no limit.
    public var timeLimit: Double? = 10
    /// A deadline shared with the caller (a command's whole budget): the
    /// portfolio stops at the earlier of it and ``timeLimit``.
    public var deadline: Deadline?
    /// Seconds the cheap pass (the sweep by start time) may run past the
    /// deadline so that a tight limit still gives an answer. A caller whose
    /// deadline is already a hard end (a command that reserved the time to
    /// check and write the answer) sets 0.
    public var cheapGrace: Double = Portfolio.defaultCheapGrace
    /// With a capacity: keep lowering the height after a fit is found.
    /// Without one the height is always minimised.
    public var minimizeBelowCapacity = false
    /// `auto` runs the exact search to minimise the height only on problems
    /// with at most this many buffers; beyond, the peak repair works on
    /// windows of the solution instead.
    public var searchSizeLimit = 5_000
    /// Minimising stops once (height − lower bound) / height is at most
    /// this (as a MILP solver's relative gap): 10⁻⁴ by default.
    public var relativeGap = 1e-4
    /// Independent passes run on all cores.
    public var parallel = true
    /// The ILP backend.
    public var solver: any Solver = CBCSolver()
    /// Progress lines for people (search nodes, incumbent, bound).
    public var progress: (@Sendable (String) -> Void)?

    public init(method: AllocationMethod = .auto, timeLimit: Double? = 10) {
        self.method = method
        self.timeLimit = timeLimit
    }
}

/// What ``Portfolio`` found.
public struct AllocationReport: Sendable {
    public enum Status: String, Sendable, Codable {
        /// A solution within the capacity (any solution without one).
        case fit
        /// Proof that nothing fits the capacity.
        case noFit
        /// A limit stopped the methods before a fit or a proof.
        case limitReached
    }

    /// One finished step of the portfolio: a greedy pass, an improvement.
    public struct Step: Sendable {
        public var method: String
        /// The height it reached (nil: stopped by the deadline).
        public var height: Int?
        /// Seconds since the portfolio started, when the step finished.
        public var seconds: Double
    }

    public var status: Status
    /// The best solution found (possibly above the capacity when the
    /// status is not `fit`).
    public var solution: AllocationSolution?
    /// A proven lower bound on the height.
    public var lowerBound: Int
    /// Which method produced the solution (or the proof).
    public var method: String
    public var seconds: Double
    /// Every greedy pass and every improvement, in order.
    public var steps: [Step] = []

    public var feasible: Bool { status == .fit }
    public var height: Int? { solution?.height }
    /// The height is proven minimal.
    public var optimal: Bool { solution.map { $0.height <= lowerBound } ?? false }
    /// (height − lowerBound) / height.
    public var gap: Double? {
        guard let h = solution?.height, h > 0 else { return solution == nil ? nil : 0 }
        return Double(max(0, h - lowerBound)) / Double(h)
    }
}

/// Picks the method: greedy passes first (several orders and gap choices,
/// on all cores, best first), then, when a capacity is missed or a gap
/// remains, the exact search on small problems or the peak repair on large
/// ones (or the ILP when asked), within the deadline; reports the best
/// height found and the gap to the lower bound.
///
/// Time: the greedy passes each cost O(n log n) on typical traces (see
/// ``GreedyAllocator``); the rest stops at the deadline, except the cheap
/// sweep by start time, which may overrun it by ``PortfolioOptions/cheapGrace`` so that a
/// tight limit still gets an answer. A pass reaching the lower bound stops
/// the others. Memory: O(n log T) for a greedy pass's index (T ≤ 2n
/// distinct lifetime endpoints; each placed range enters at most
/// 6(⌈log₂ T⌉ + 1) coalesced lists, and the lists' one array holds at most
/// 48n(⌈log₂ T⌉ + 1) integers with its slots' spare room, plus 3 integers
/// of header for each of 8T lists; see ``GapIndex``), O(n) for the sweep
/// and the rest, per core; the ILP (on request) is O(n²) in the worst case.
public struct Portfolio: Sendable {
    public var options: PortfolioOptions

    public init(options: PortfolioOptions = PortfolioOptions()) { self.options = options }

    /// One greedy pass of the portfolio: an allocator, on the problem as
    /// given or with its long-lived buffers pinned at the bottom first.
    public struct Member: Sendable {
        public var allocator: GreedyAllocator
        /// Buffers alive through half the horizon or more go first, stacked
        /// at the bottom (``GreedyContext/spanningPinned(fraction:)``).
        public var longFirst: Bool

        public var name: String { allocator.name + (longFirst ? "-longfirst" : "") }

        public init(allocator: GreedyAllocator, longFirst: Bool) {
            self.allocator = allocator
            self.longFirst = longFirst
        }

        /// This pass alone on `problem`, ignoring its capacity.
        public func allocate(_ problem: AllocationProblem) throws(AllocationError) -> AllocationSolution {
            try problem.validate()
            let context = GreedyContext(problem.buffers)
            let prepared = longFirst ? context.spanningPinned(fraction: 0.5) ?? context : context
            return allocator.allocate(prepared, deadline: nil) ?? AllocationSolution(offsets: [], height: 0)
        }
    }

    /// The greedy passes, best first on the production-like suite
    /// (Benchmarks, `alloc`): ties broken by start time and first fit lead,
    /// long-lived buffers first.
    public static let members: [Member] = [
        Member(allocator: GreedyAllocator(order: .sizeThenStart, gap: .firstFit), longFirst: true),
        Member(allocator: GreedyAllocator(order: .start), longFirst: false),
        Member(allocator: GreedyAllocator(order: .sizeThenStart, gap: .firstFit), longFirst: false),
        Member(allocator: GreedyAllocator(order: .size, gap: .firstFit), longFirst: true),
        Member(allocator: GreedyAllocator(order: .sizeThenEnd, gap: .firstFit), longFirst: true),
        Member(allocator: GreedyAllocator(order: .sizeThenStart), longFirst: true),
        Member(allocator: GreedyAllocator(order: .contention, gap: .firstFit), longFirst: true),
        Member(allocator: GreedyAllocator(order: .size), longFirst: false),
        Member(allocator: GreedyAllocator(order: .size, gap: .firstFit), longFirst: false),
        Member(allocator: GreedyAllocator(order: .sizeThenEnd, gap: .firstFit), longFirst: false),
        Member(allocator: GreedyAllocator(order: .area, gap: .firstFit), longFirst: false),
        Member(allocator: GreedyAllocator(order: .lifetime), longFirst: false),
        Member(allocator: GreedyAllocator(order: .contention, gap: .firstFit), longFirst: false),
        Member(allocator: GreedyAllocator(order: .sizeThenStart), longFirst: false),
        Member(allocator: GreedyAllocator(order: .sizeThenEnd), longFirst: false),
        Member(allocator: GreedyAllocator(order: .start, gap: .firstFit), longFirst: false),
        Member(allocator: GreedyAllocator(order: .area), longFirst: false),
        Member(allocator: GreedyAllocator(order: .lifetime, gap: .firstFit), longFirst: false),
        Member(allocator: GreedyAllocator(order: .contention), longFirst: false),
    ]

    /// The pass that always runs first and may overrun the deadline by
    /// ``PortfolioOptions/cheapGrace``: the sweep by start time (see ``runGreedy``).
    static let cheapMember = Member(allocator: GreedyAllocator(order: .start), longFirst: false)
    /// Seconds the cheap pass may run past the deadline: within the
    /// whole-command envelope (limit + max(2 s, 10 %)), leaving half a
    /// second to validate and write the answer. (1 s was measured too
    /// short once: 196,673 buffers, limit 3 s, two spinning threads on two
    /// busy cores.)
    public static let defaultCheapGrace = 1.5

    /// The passes tried on a window of the peak repair, before random ties.
    static let windowMembers: [GreedyAllocator] = [
        GreedyAllocator(order: .sizeThenStart, gap: .firstFit), GreedyAllocator(order: .size, gap: .firstFit),
        GreedyAllocator(order: .sizeThenStart), GreedyAllocator(order: .size), GreedyAllocator(order: .sizeThenEnd, gap: .firstFit),
        GreedyAllocator(order: .start), GreedyAllocator(order: .contention, gap: .firstFit), GreedyAllocator(order: .lifetime),
    ]

    public func allocate(_ problem: AllocationProblem) throws(AllocationError) -> AllocationReport {
        try allocate(problem, validated: false)
    }

    /// ``allocate(_:)`` for a problem that has passed
    /// ``AllocationProblem/validate()`` and not changed since (what
    /// ``BufferCSV`` returns): the O(n log n) check (a third of a second at
    /// 200k buffers on a busy core) is not repeated.
    package func allocate(validated problem: AllocationProblem) throws(AllocationError) -> AllocationReport {
        try allocate(problem, validated: true)
    }

    private func allocate(_ problem: AllocationProblem, validated: Bool) throws(AllocationError) -> AllocationReport {
        // The limit counts from the call, validation included.
        let clock = Deadline(seconds: nil)
        let deadline = Self.deadline(options)
        // The set-up (checks, bounds, the greedy context: O(n log n) each,
        // tenths of a second at 200k buffers) stops at the same point as
        // the cheap pass would (this is that pass's own deadline in
        // ``runGreedy``): past it no pass could start.
        let lastStart = deadline.remaining.map { Deadline(seconds: $0 + max(0, options.cheapGrace)) } ?? deadline
        func outOfTime(_ bound: Int) -> AllocationReport {
            AllocationReport(status: .limitReached, solution: nil, lowerBound: bound, method: "none", seconds: clock.elapsed)
        }
        if !validated { try problem.validate() }
        if lastStart.expired { return outOfTime(0) }
        let buffers = problem.buffers
        let capacity = problem.capacity
        var bound = LowerBounds(validated: buffers).best
        if let capacity, bound > capacity {
            return AllocationReport(status: .noFit, solution: nil, lowerBound: bound, method: "lower bound", seconds: clock.elapsed)
        }
        if lastStart.expired { return outOfTime(bound) }
        let wantsMinimum = capacity == nil || options.minimizeBelowCapacity
        let context = GreedyContext(buffers)
        if lastStart.expired { return outOfTime(bound) }

        // Greedy passes, on all cores, until one reaches the goal.
        let goal = wantsMinimum ? bound : capacity ?? bound
        var steps: [AllocationReport.Step] = []
        let greedy = runGreedy(context, goal: goal, bound: bound, capacity: capacity, deadline: deadline, graceDeadline: lastStart,
                               clock: clock, steps: &steps)
        guard var best = greedy?.solution, var method = greedy?.method else {
            return AllocationReport(status: .limitReached, solution: nil, lowerBound: bound, method: "none", seconds: clock.elapsed,
                                    steps: steps)
        }
        func fits(_ s: AllocationSolution) -> Bool { capacity.map { s.height <= $0 } ?? true }
        func closeEnough(_ height: Int) -> Bool {
            height <= bound || Double(height - bound) <= options.relativeGap * Double(height)
        }
        func report(_ status: AllocationReport.Status) -> AllocationReport {
            AllocationReport(status: status, solution: best, lowerBound: min(bound, best.height), method: method,
                             seconds: clock.elapsed, steps: steps)
        }
        if options.method == .greedy || (fits(best) && (!wantsMinimum || closeEnough(best.height))) || deadline.expired {
            return report(fits(best) ? .fit : .limitReached)
        }

        switch options.method {
        case .greedy:
            return report(fits(best) ? .fit : .limitReached)

        case .ilp:
            var solveOptions = SolveOptions(timeLimit: deadline.remaining)
            solveOptions.deadline = deadline
            if let progress = options.progress {
                solveOptions.progress = { p in
                    progress(String(format: "%7.1fs  ilp  incumbent %@  bound %@", p.elapsed,
                                    p.incumbent.map { String(format: "%.0f", $0) } ?? "-",
                                    p.bound.map { String(format: "%.0f", $0) } ?? "-"))
                }
            }
            let ilp = try AllocationILP(problem, upperBound: best.height)
            let result = ilp.solve(with: options.solver, options: solveOptions, start: best)
            bound = max(bound, result.lowerBound)
            if let s = result.solution, s.height < best.height || (!fits(best) && fits(s)) {
                best = s
                method = "ilp-\(result.solver)"
            }
            steps.append(.init(method: "ilp-\(result.solver)", height: result.solution?.height, seconds: clock.elapsed))
            if result.status == .infeasible && capacity != nil && !fits(best) {
                method = "ilp-\(result.solver)"
                return report(.noFit)
            }
            if result.status == .optimal { bound = max(bound, best.height) }
            return report(fits(best) ? .fit : .limitReached)

        case .auto, .search:
            if options.method == .auto && buffers.count > options.searchSizeLimit {
                // Large: repair the peak window by window.
                var repair = PeakRepair(context, start: best)
                repair.windowLimit = min(40_000, max(1_000, buffers.count / 2))
                let floor = wantsMinimum ? bound : max(bound, capacity ?? bound)
                let resolution = max(1, Int(options.relativeGap * Double(best.height)))
                let progress = options.progress
                let started = best.height
                if repair.run(floor: floor, resolution: resolution, deadline: deadline, progress: progress.map { p in
                    { height in p(String(format: "%7.1fs  repair  height %ld  bound %ld", clock.elapsed, height, bound)) }
                }), repair.height < started {
                    best = AllocationSolution(offsets: repair.offsets, height: repair.height)
                    method = "\(method)+repair"
                }
                steps.append(.init(method: "repair", height: repair.height, seconds: clock.elapsed))
                return report(fits(best) ? .fit : .limitReached)
            }
            var searchOptions = SearchOptions(timeLimit: deadline.remaining)
            if let progress = options.progress {
                searchOptions.progress = { p in
                    progress(String(format: "%7.1fs  search  capacity %ld  incumbent %@  bound %ld  nodes %ld  restarts %ld",
                                    p.elapsed, p.capacity, p.incumbent.map(String.init) ?? "-", p.bound, p.nodes, p.restarts))
                }
            }
            if let capacity, !fits(best) {
                let result = try ExactSearch(options: searchOptions).fit(problem, capacity: capacity)
                switch result.outcome {
                case .fit(let s):
                    best = s
                    method = "search"
                    steps.append(.init(method: "search", height: s.height, seconds: clock.elapsed))
                    if !wantsMinimum { return report(.fit) }
                case .noFit:
                    method = "search"
                    bound = max(bound, capacity + 1)
                    return AllocationReport(status: .noFit, solution: best, lowerBound: bound, method: method,
                                            seconds: clock.elapsed, steps: steps)
                case .limitReached:
                    return report(.limitReached)
                }
            }
            var remaining = searchOptions
            remaining.timeLimit = deadline.remaining
            let minimum = try ExactSearch(options: remaining).minimize(problem, start: best)
            if minimum.solution.height < best.height {
                best = minimum.solution
                method = "search"
            }
            steps.append(.init(method: "search", height: minimum.solution.height, seconds: clock.elapsed))
            bound = max(bound, minimum.lowerBound)
            return report(fits(best) ? .fit : .limitReached)
        }
    }

    /// The earlier of the options' deadline and time limit.
    static func deadline(_ options: PortfolioOptions) -> Deadline {
        let own = Deadline(seconds: options.timeLimit)
        guard let shared = options.deadline else { return own }
        guard let limit = options.timeLimit else { return shared }
        return shared.capped(at: limit)
    }

    /// The greedy passes of ``members``, on ``Parallel/width`` threads in
    /// that order. The first round (one pass a thread) always runs; more
    /// passes start only while the gap to the bound is above ten times the
    /// relative gap (closing small gaps is the repair's job) and a quarter
    /// of the time limit is not spent, or for `.greedy`, until all ran.
    /// Nothing starts once a pass reaches `goal` or at the deadline, and a
    /// pass reaching `goal` stops the passes still running.
    ///
    /// The sweep by start time (``cheapMember``, O(n log n + n·g) for g
    /// free gaps at once, a tenth of a size-ordered pass's time on the
    /// suite) runs first on one thread and is the only pass allowed past
    /// the deadline, by ``PortfolioOptions/cheapGrace``: under a tight limit on busy cores
    /// it is the answer when nothing else finishes.
    private func runGreedy(_ context: GreedyContext, goal: Int, bound: Int, capacity: Int?, deadline: Deadline, graceDeadline: Deadline,
                           clock: Deadline, steps: inout [AllocationReport.Step]) -> (solution: AllocationSolution, method: String)? {
        // Without long-lived buffers the long-first passes repeat others.
        // Their context is built by the first pass that needs it, so that
        // the cheap pass starts at once on another thread.
        let hasSpanning = context.hasSpanning(fraction: 0.5)
        let longFirstContext = Mutex<GreedyContext?>(nil)
        @Sendable func longFirst() -> GreedyContext {
            longFirstContext.withLock { cached in
                if let cached { return cached }
                let built = context.spanningPinned(fraction: 0.5) ?? context
                cached = built
                return built
            }
        }
        var ordered = hasSpanning ? Self.members : Self.members.filter { !$0.longFirst }
        let width = options.parallel ? min(Parallel.width, ordered.count) : 1
        // The cheap pass is in the first round: first on one thread,
        // second on more (the first thread takes the pass usually best).
        if let k = ordered.firstIndex(where: { $0.allocator == Self.cheapMember.allocator && !$0.longFirst }) {
            let cheap = ordered.remove(at: k)
            ordered.insert(cheap, at: width == 1 ? 0 : 1)
        }
        let members = ordered
        let budget = deadline.remaining.map { clock.elapsed + $0 / 4 }
        let moreWhileAbove = max(10 * options.relativeGap, 1e-3)
        struct Shared {
            var next = 0
            var best: (solution: AllocationSolution, method: String)?
            var steps: [AllocationReport.Step] = []
            /// Seconds the cheap pass took, once it has finished.
            var cheapSeconds: Double?
        }
        let shared = Mutex(Shared())
        let stop = StopSignal()
        let method = options.method
        let progress = options.progress
        _ = Parallel.map(width) { _ in
            while true {
                let k: Int? = shared.withLock { s in
                    if s.next >= members.count { return nil }
                    if let best = s.best {
                        let height = best.solution.height
                        if height <= goal { return nil }
                        if method != .greedy && s.next >= width {
                            let fits = capacity.map { height <= $0 } ?? true
                            if fits && Double(height - bound) <= moreWhileAbove * Double(height) { return nil }
                            if let budget, clock.elapsed > budget { return nil }
                        }
                        // A later pass sorts and sets up its index before it
                        // first looks at the deadline (a few tenths of a
                        // second at 200k buffers on a busy core, about
                        // what the whole cheap pass takes): none starts
                        // with less time left than the cheap pass took.
                        if s.next >= width, let cheap = s.cheapSeconds, let left = deadline.remaining, left < cheap {
                            return nil
                        }
                    }
                    defer { s.next += 1 }
                    return s.next
                }
                guard let k else { return 0 }
                let member = members[k]
                let cheap = member.allocator == Self.cheapMember.allocator && !member.longFirst
                let started = clock.elapsed
                let solution = member.allocator.allocate(member.longFirst ? longFirst() : context,
                                                         deadline: cheap ? graceDeadline : deadline, stop: stop)
                let seconds = clock.elapsed
                if let solution, solution.height <= goal { stop.raise() }
                shared.withLock { s in
                    if cheap && solution != nil { s.cheapSeconds = seconds - started }
                    if solution != nil || !stop.isRaised {
                        s.steps.append(.init(method: member.name, height: solution?.height, seconds: seconds))
                    }
                    if let solution, s.best == nil || solution.height < s.best!.solution.height {
                        s.best = (solution, member.name)
                    }
                }
                guard let solution else { return 0 }  // the deadline, or another pass reached the goal
                progress?(String(format: "%7.1fs  %@  height %ld  bound %ld", seconds, member.name, solution.height, bound))
                if deadline.expired { return 0 }
            }
        }
        let result = shared.withLock { $0 }
        steps += result.steps
        return result.best
    }
}
