import MILP

/// The order in which the exact search tries the buffers that could cover
/// a section (which branch it explores first).
public enum CandidateOrder: Sendable, Equatable, Hashable {
    case size
    case lifetime
    case area
    case start
    case random(seed: UInt64)
}

public struct SearchOptions: Sendable {
    /// Wall-clock limit in seconds for the whole call.
    public var timeLimit: Double?
    /// Limit on the total number of search nodes (for reproducible tests).
    public var nodeLimit: Int?
    /// Node limit unit of the restarts: restart k may use
    /// `firstRestartNodes × luby(k)` nodes (1, 1, 2, 1, 1, 2, 4, …).
    public var firstRestartNodes: Int = 2_000
    /// Candidate orders of the first restarts; later restarts shuffle.
    public var orders: [CandidateOrder] = [.size, .lifetime, .area, .start]
    /// Try the greedy allocators on each part before searching it (off in
    /// tests that exercise the search itself).
    public var greedyFirst = true
    /// Called about once a second during long searches.
    public var progress: (@Sendable (SearchProgress) -> Void)?

    public init(timeLimit: Double? = nil, nodeLimit: Int? = nil, progress: (@Sendable (SearchProgress) -> Void)? = nil) {
        self.timeLimit = timeLimit
        self.nodeLimit = nodeLimit
        self.progress = progress
    }
}

public struct SearchProgress: Sendable {
    public var elapsed: Double
    public var nodes: Int
    public var restarts: Int
    /// The capacity being tried.
    public var capacity: Int
    /// Best height found so far and proven lower bound (when minimising).
    public var incumbent: Int?
    public var bound: Int
}

/// What a fit attempt found.
public enum SearchOutcome: Sendable, Equatable {
    /// A solution within the capacity.
    case fit(AllocationSolution)
    /// Proof that no solution fits the capacity.
    case noFit
    /// A time or node limit stopped the search first.
    case limitReached
}

public struct SearchReport: Sendable {
    public var outcome: SearchOutcome
    public var nodes: Int
    public var restarts: Int
    public var seconds: Double
}

/// The result of minimising the height.
public struct MinimizeReport: Sendable {
    /// The lowest solution found (at worst the starting one).
    public var solution: AllocationSolution
    /// A proven lower bound on every solution's height.
    public var lowerBound: Int
    public var nodes: Int
    public var seconds: Double
    public var isOptimal: Bool { solution.height <= lowerBound }
}

/// Exact search for tight capacities, where greedy allocators fail: fit
/// (with offsets), no fit (proved), or limit reached.
///
/// The problem is first split where no lifetime crosses a time boundary;
/// each part whose greedy solutions miss the capacity goes to a
/// ``SectionSearch`` (canonical placements, branching on the most
/// constrained section, section floors, dynamic decomposition, twin
/// symmetry). A depth-first search can get lost
/// in one bad early choice, so it restarts with another candidate order
/// under node limits following Luby's sequence (1, 1, 2, 1, 1, 2, 4, … times
/// a unit): many short tries with shuffled orders, and limits that still
/// grow without bound, so a proof of no fit comes out when time allows.
///
/// Complexity: exponential in the worst case (the problem is NP-hard);
/// each node costs O(m log m + s + area) (see ``SectionSearch``).
public struct ExactSearch: Sendable {
    public var options: SearchOptions

    public init(options: SearchOptions = SearchOptions()) { self.options = options }

    /// Looks for offsets with height at most `capacity` (the problem's own
    /// capacity when nil; without either, the peak of live bytes).
    public func fit(_ problem: AllocationProblem, capacity: Int? = nil) throws(AllocationError) -> SearchReport {
        try problem.validate()
        let bounds = LowerBounds(validated: problem.buffers)
        let c = capacity ?? problem.capacity ?? bounds.best
        if c < 0 { throw .invalidCapacity(c) }
        var stats = Stats(deadline: Deadline(seconds: options.timeLimit))
        let outcome = fit(problem.buffers, capacity: c, lowerBound: bounds.best, stats: &stats, deadline: stats.deadline, reportBound: bounds.best, incumbent: nil)
        return SearchReport(outcome: outcome, nodes: stats.nodes, restarts: stats.restarts, seconds: stats.deadline.elapsed)
    }

    /// Lowers the height of `start` (or of the best greedy solution) as far
    /// as the limits allow: tries the lower bound first, then bisects
    /// between what is proven impossible and what has been found.
    public func minimize(_ problem: AllocationProblem, start: AllocationSolution? = nil) throws(AllocationError) -> MinimizeReport {
        try problem.validate()
        let buffers = problem.buffers
        var stats = Stats(deadline: Deadline(seconds: options.timeLimit))
        var best = start ?? BestOfGreedy.standard.allocate(validated: buffers).solution
        var proven = LowerBounds(validated: buffers).best
        var tryFrom = proven
        var firstAttempt = true
        while tryFrom < best.height && !stats.deadline.expired && !stats.outOfNodes(options) {
            let target = firstAttempt ? tryFrom : tryFrom + (best.height - 1 - tryFrom) / 2
            firstAttempt = false
            // Half the remaining time per attempt, all of it for the last.
            let share: Double? = stats.deadline.remaining.map { target == best.height - 1 ? $0 : $0 / 2 }
            let attempt = Deadline(seconds: share)
            switch fit(buffers, capacity: target, lowerBound: proven, stats: &stats, deadline: attempt, reportBound: proven, incumbent: best.height) {
            case .fit(let solution):
                best = solution
            case .noFit:
                proven = max(proven, target + 1)
                tryFrom = max(tryFrom, target + 1)
            case .limitReached:
                tryFrom = target + 1
            }
        }
        return MinimizeReport(solution: best, lowerBound: min(proven, best.height), nodes: stats.nodes, seconds: stats.deadline.elapsed)
    }

    // MARK: Implementation

    struct Stats {
        let deadline: Deadline
        var nodes = 0
        var restarts = 0
        var lastReport = 0.0

        func outOfNodes(_ options: SearchOptions) -> Bool { options.nodeLimit.map { nodes >= $0 } ?? false }
    }

    private func fit(_ buffers: [Buffer], capacity: Int, lowerBound: Int, stats: inout Stats, deadline: Deadline,
                     reportBound: Int, incumbent: Int?) -> SearchOutcome {
        if lowerBound > capacity { return .noFit }
        var offsets = [Int](repeating: 0, count: buffers.count)
        var height = 0
        // Zero-sized buffers occupy nothing: at 0 or where pinned.
        var positive: [Int] = []
        for (i, b) in buffers.enumerated() {
            if b.size > 0 { positive.append(i); continue }
            offsets[i] = b.fixedOffset ?? 0
            height = max(height, offsets[i])
        }
        if height > capacity { return .noFit }

        for part in Self.timeComponents(buffers, positive) {
            let partBuffers = part.map { buffers[$0] }
            // Greedy first: most parts of a real problem are easy.
            let greedy = options.greedyFirst ? BestOfGreedy.standard.allocate(validated: partBuffers).solution : nil
            if let greedy, greedy.height <= capacity {
                for (k, i) in part.enumerated() { offsets[i] = greedy.offsets[k] }
                height = max(height, greedy.height)
                continue
            }
            var engine = SectionSearch(buffers: partBuffers, original: part, capacity: capacity)
            if engine.exceedsCapacityAtOnce { return .noFit }
            var attempt = 0
            var found = false
            while !found {
                let order = attempt < options.orders.count
                    ? options.orders[attempt]
                    : .random(seed: UInt64(attempt) &* 0x9E37_79B9)
                let (scaled, overflow) = options.firstRestartNodes.multipliedReportingOverflow(by: Self.luby(attempt + 1))
                var runLimit = overflow ? Int.max : scaled
                if let total = options.nodeLimit { runLimit = min(runLimit, max(0, total - stats.nodes)) }
                let before = engine.nodes
                let progress = options.progress
                let result = engine.run(order: order, nodeLimit: runLimit, deadline: deadline) { nodes in
                    guard let progress else { return }
                    let elapsed = stats.deadline.elapsed
                    if elapsed - stats.lastReport >= 1 {
                        stats.lastReport = elapsed
                        progress(SearchProgress(elapsed: elapsed, nodes: stats.nodes + nodes - before, restarts: stats.restarts,
                                                capacity: capacity, incumbent: incumbent, bound: reportBound))
                    }
                }
                stats.nodes += engine.nodes - before
                stats.restarts += 1
                switch result {
                case .fit:
                    for (i, offset) in engine.solution { offsets[i] = offset }
                    found = true
                case .noFit:
                    return .noFit
                case .timeLimit:
                    return .limitReached
                case .nodeLimit:
                    if stats.outOfNodes(options) { return .limitReached }
                    attempt += 1
                }
            }
            for i in part { height = max(height, offsets[i] + buffers[i].size) }
        }
        return .fit(AllocationSolution(offsets: offsets, height: height))
    }

    /// Luby's restart sequence (1-based): 1, 1, 2, 1, 1, 2, 4, 1, 1, 2, …
    static func luby(_ i: Int) -> Int {
        var k = 1
        while (1 << k) - 1 < i { k += 1 }
        if i == (1 << k) - 1 { return 1 << (k - 1) }
        return luby(i - (1 << (k - 1)) + 1)
    }

    /// Groups of buffer indices such that no lifetime crosses from one group
    /// to another: O(n log n).
    static func timeComponents(_ buffers: [Buffer], _ indices: [Int]) -> [[Int]] {
        let sorted = indices.sorted { buffers[$0].lower < buffers[$1].lower }
        var groups: [[Int]] = []
        var reach = Int.min
        for i in sorted {
            if buffers[i].lower >= reach || groups.isEmpty { groups.append([]) }
            groups[groups.count - 1].append(i)
            reach = max(reach, buffers[i].upper)
        }
        return groups
    }
}
