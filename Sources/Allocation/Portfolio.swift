import MILP

/// Which method ``Portfolio`` uses.
public enum AllocationMethod: String, Sendable, CaseIterable, Codable {
    /// Heuristics first; the exact search when they miss the capacity or
    /// leave a gap on a problem small enough to search.
    case auto
    /// The best of the greedy orders only.
    case greedy
    /// Heuristics, then the exact search (fit, or minimise the height).
    case search
    /// Heuristics, then the ILP warm-started from them.
    case ilp
}

public struct PortfolioOptions: Sendable {
    public var method: AllocationMethod = .auto
    /// Seconds for everything after the heuristics.
    public var timeLimit: Double? = 10
    /// With a capacity: keep lowering the height after a fit is found.
    /// Without one the height is always minimised.
    public var minimizeBelowCapacity = false
    /// `auto` runs the exact search to minimise the height (no capacity, or
    /// `minimizeBelowCapacity`) only on problems with at most this many
    /// buffers; beyond, the heuristics' answer stands (they are typically
    /// within a percent of the bound on real traces, and searching tens of
    /// thousands of buffers for the last bytes is rarely worth the wait).
    public var searchSizeLimit = 5_000
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

    public var status: Status
    /// The best solution found (possibly above the capacity when the
    /// status is not `fit`).
    public var solution: AllocationSolution?
    /// A proven lower bound on the height.
    public var lowerBound: Int
    /// Which method produced the solution (or the proof).
    public var method: String
    public var seconds: Double

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

/// Picks the method: greedy heuristics first (milliseconds), then, when a
/// capacity is missed or a gap remains, the exact search (or the ILP when
/// asked), within the time limit; reports the best height found and the
/// gap to the lower bound.
public struct Portfolio: Sendable {
    public var options: PortfolioOptions

    public init(options: PortfolioOptions = PortfolioOptions()) { self.options = options }

    public func allocate(_ problem: AllocationProblem) throws(AllocationError) -> AllocationReport {
        try problem.validate()
        let clock = Deadline(seconds: nil)
        let buffers = problem.buffers
        let capacity = problem.capacity
        var bound = LowerBounds(validated: buffers).best
        let greedy = BestOfGreedy.standard.allocate(validated: buffers, goal: bound)
        var best = greedy.solution
        var method = greedy.method
        func report(_ status: AllocationReport.Status) -> AllocationReport {
            AllocationReport(status: status, solution: best, lowerBound: min(bound, best.height), method: method, seconds: clock.elapsed)
        }
        func fits(_ s: AllocationSolution) -> Bool { capacity.map { s.height <= $0 } ?? true }

        if let capacity, bound > capacity {
            method = "lower bound"
            return AllocationReport(status: .noFit, solution: best, lowerBound: bound, method: method, seconds: clock.elapsed)
        }
        let wantsMinimum = capacity == nil || options.minimizeBelowCapacity
        if best.height <= bound || options.method == .greedy || (fits(best) && !wantsMinimum) {
            return report(fits(best) ? .fit : .limitReached)
        }

        switch options.method {
        case .greedy:
            return report(fits(best) ? .fit : .limitReached)

        case .ilp:
            var solveOptions = SolveOptions(timeLimit: options.timeLimit)
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
            if result.status == .infeasible && capacity != nil && !fits(best) {
                method = "ilp-\(result.solver)"
                return report(.noFit)
            }
            if result.status == .optimal { bound = max(bound, best.height) }
            return report(fits(best) ? .fit : .limitReached)

        case .auto, .search:
            if options.method == .auto && fits(best) && buffers.count > options.searchSizeLimit {
                return report(.fit)
            }
            var searchOptions = SearchOptions(timeLimit: options.timeLimit)
            if let progress = options.progress {
                searchOptions.progress = { p in
                    progress(String(format: "%7.1fs  search  capacity %d  incumbent %@  bound %d  nodes %d  restarts %d",
                                    p.elapsed, p.capacity, p.incumbent.map(String.init) ?? "-", p.bound, p.nodes, p.restarts))
                }
            }
            let search = ExactSearch(options: searchOptions)
            if let capacity, !fits(best) {
                let result = try search.fit(problem, capacity: capacity)
                switch result.outcome {
                case .fit(let s):
                    best = s
                    method = "search"
                    if !wantsMinimum { return report(.fit) }
                case .noFit:
                    method = "search"
                    bound = max(bound, capacity + 1)
                    return AllocationReport(status: .noFit, solution: best, lowerBound: bound, method: method, seconds: clock.elapsed)
                case .limitReached:
                    return report(.limitReached)
                }
            }
            var remaining = searchOptions
            remaining.timeLimit = options.timeLimit.map { max(0, $0 - clock.elapsed) }
            let minimum = try ExactSearch(options: remaining).minimize(problem, start: best)
            if minimum.solution.height < best.height {
                best = minimum.solution
                method = "search"
            }
            bound = max(bound, minimum.lowerBound)
            return report(fits(best) ? .fit : .limitReached)
        }
    }
}
