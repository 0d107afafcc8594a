import MILP
import Synchronization

/// The order in which the exact search tries the buffers that could cover
/// a section (which branch it explores first).
public enum CandidateOrder: Sendable, Equatable, Hashable {
    case size
    case lifetime
    case area
    case start
    case random(seed: UInt64)
    /// `base`'s order with noise: each buffer's rank in it moves by a
    /// random amount up to an eighth of the part's buffers, so close
    /// ranks trade places and the order's character stays.
    indirect case noisy(CandidateOrder, seed: UInt64)
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
    /// Restarts run on all cores (each core its own attempts).
    public var parallel = true
    /// The candidate order of restart round `round` ≥ `orders.count`:
    /// by default one of ``orders`` with seeded noise (reproducible).
    var restartOrder: @Sendable (_ round: Int, _ orders: [CandidateOrder]) -> CandidateOrder = { round, orders in
        let seed = UInt64(round) &* 0x9E37_79B9_7F4A_7C15
        return orders.isEmpty ? .random(seed: seed) : .noisy(orders[round % orders.count], seed: seed)
    }
    /// Whether restart round r tries first the candidates that fit their
    /// surroundings (then by candidate order) or goes by the order alone
    /// (only on tilings, problems without slack anywhere).
    var fitFirst: @Sendable (_ round: Int) -> Bool = { _ in true }
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
/// each node costs O(m + s), more where the area check runs (see
/// ``SectionSearch``).
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
            let engine = SectionSearch(buffers: partBuffers, original: part, capacity: capacity)
            if engine.exceedsCapacityAtOnce { return .noFit }
            // A second view: the part with time reversed (the same problem,
            // a different search tree). Restart rounds alternate the views,
            // serial or parallel alike.
            var engines = [engine]
            if let end = partBuffers.map(\.upper).max() {
                let mirrored = partBuffers.map { b in
                    Buffer(id: b.id, lower: end - b.upper, upper: end - b.lower, size: b.size, alignment: b.alignment, fixedOffset: b.fixedOffset)
                }
                engines.append(SectionSearch(buffers: mirrored, original: part, capacity: capacity))
            }
            switch restarts(engines, capacity: capacity, stats: &stats, deadline: deadline, incumbent: incumbent, reportBound: reportBound) {
            case .fit(let placed):
                for (i, offset) in placed { offsets[i] = offset }
            case .noFit:
                return .noFit
            case .limitReached:
                return .limitReached
            }
            for i in part { height = max(height, offsets[i] + buffers[i].size) }
        }
        return .fit(AllocationSolution(offsets: offsets, height: height))
    }

    enum PartOutcome {
        case fit([(original: Int, offset: Int)])
        case noFit
        case limitReached
    }

    /// Restarts of one part's search, on ``Parallel/width`` threads when
    /// ``SearchOptions/parallel``, each thread with its own copies of the
    /// `engines` (views of the same part). Attempt k belongs to round
    /// r = k / v of the v views and runs view k mod v with candidate order
    /// r (then ``SearchOptions/restartOrder``'s seeded orders) under a node
    /// limit of `firstRestartNodes × luby(r + 1)`, threads taking attempts
    /// in turn. What each attempt does depends on k alone, never on which
    /// thread runs it or when: results are reproducible (with a node limit
    /// and one thread exactly; in parallel, the first attempt to fit wins).
    /// The first fit wins; a run that ends within its node limit without
    /// one proves that nothing fits. The total node limit is shared: each
    /// attempt reserves its nodes before it starts.
    private func restarts(_ engines: [SectionSearch], capacity: Int, stats: inout Stats, deadline: Deadline, incumbent: Int?,
                          reportBound: Int) -> PartOutcome {
        struct Shared {
            var next = 0
            var outcome: PartOutcome?
            var nodes: Int
            var restarts: Int
            var lastReport: Double
        }
        let shared = Mutex(Shared(nodes: stats.nodes, restarts: stats.restarts, lastReport: stats.lastReport))
        let options = self.options
        let clock = stats.deadline
        let workers = options.parallel ? Parallel.width : 1
        _ = Parallel.map(workers) { w in
            var views = engines
            while true {
                // The next attempt and its node budget, or stop.
                let task: (attempt: Int, limit: Int)? = shared.withLock { s in
                    if s.outcome != nil { return nil }
                    var limit = Int.max
                    let round = s.next / views.count
                    let (scaled, overflow) = options.firstRestartNodes.multipliedReportingOverflow(by: Self.luby(round + 1))
                    if !overflow { limit = scaled }
                    if let total = options.nodeLimit {
                        let left = total - s.nodes
                        // Out of nodes: this thread stops; one still running may yet fit.
                        if left <= 0 { return nil }
                        limit = min(limit, left)
                        s.nodes += limit  // reserved; the unused part is given back
                    }
                    defer { s.next += 1 }
                    return (s.next, limit)
                }
                guard let task else { return 0 }
                let round = task.attempt / views.count
                let view = task.attempt % views.count
                let order = round < options.orders.count
                    ? options.orders[round]
                    : options.restartOrder(round, options.orders)
                let before = views[view].nodes
                let progress = options.progress
                let result = views[view].run(order: order, fitFirst: options.fitFirst(round), nodeLimit: task.limit, deadline: deadline) { nodes in
                    shared.withLock { s in
                        if s.outcome != nil { return false }
                        if let progress {
                            let elapsed = clock.elapsed
                            if elapsed - s.lastReport >= 1 {
                                s.lastReport = elapsed
                                progress(SearchProgress(elapsed: elapsed, nodes: s.nodes + nodes - before, restarts: s.restarts,
                                                        capacity: capacity, incumbent: incumbent, bound: reportBound))
                            }
                        }
                        return true
                    }
                }
                let used = views[view].nodes - before
                let solution = result == .fit ? views[view].solution : nil
                let stop: Bool = shared.withLock { s in
                    s.nodes += options.nodeLimit == nil ? used : used - task.limit
                    s.restarts += 1
                    switch result {
                    case .fit:
                        if s.outcome == nil { s.outcome = .fit(solution ?? []) }
                        return true
                    case .noFit:
                        if s.outcome == nil { s.outcome = .noFit }
                        return true
                    case .timeLimit:
                        if s.outcome == nil && deadline.expired { s.outcome = .limitReached }
                        return true
                    case .nodeLimit:
                        return s.outcome != nil
                    }
                }
                if stop { return 0 }
            }
        }
        let result = shared.withLock { $0 }
        stats.nodes = result.nodes
        stats.restarts = result.restarts
        stats.lastReport = result.lastReport
        return result.outcome ?? .limitReached
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
