import Allocation
import MILP

/// Gives every residency stretch an address with the fixed-lifetime offset
/// allocator: each stretch is a buffer alive over `[first, last + 1)`.
enum ResidencyPlacement {
    enum Outcome {
        case placed(offsets: [Int], height: Int)
        /// The best arena found is taller than the capacity; `overflow[s]`:
        /// by how much it is at step `s` (0 where it fits).
        case tooTall(height: Int, overflow: [Int])
    }

    /// Per step, how far the residencies alive at it reach past `capacity`
    /// at the offsets given. O(Σ residency lengths).
    static func overflow(_ residencies: [Residency], offsets: [Int], problem: ScratchpadProblem) -> [Int] {
        var overflow = [Int](repeating: 0, count: problem.need.count)
        for (r, residency) in residencies.enumerated() {
            let excess = offsets[r] + problem.bytes(residency.tensor) - problem.capacity
            guard excess > 0 else { continue }
            for s in residency.first ... residency.last { overflow[s] = max(overflow[s], excess) }
        }
        return overflow
    }

    /// Stretches up to this many are placed by two greedy orders past the
    /// deadline whatever the overrun (milliseconds each).
    static let smallProblem = 10_000

    /// The greedy orders first (O(n log n) each, the first that fits ends
    /// it; once the deadline has passed the start-order sweep, then the size
    /// order on problems of at most ``smallProblem`` stretches or within the
    /// deadline's grace). Where they overflow, each
    /// run of overflowing steps is placed again by the allocation
    /// portfolio's exact search inside a window of steps around it, the
    /// stretches crossing the window's edges pinned where the greedy order
    /// put them (a small problem the search can finish, where the whole one
    /// often is not); the window doubles when a pinned stretch is itself too
    /// high or no fit is found. Last, the exact search over everything. At most `searchSeconds`
    /// in all, never past `deadline` (none once it has passed).
    static func place(_ residencies: [Residency], problem: ScratchpadProblem,
                      searchSeconds: Double = 4, deadline: Deadline = .none) throws(AllocationError) -> Outcome {
        let buffers = residencies.enumerated().map { index, residency in
            Buffer(id: "\(index)", lower: residency.first, upper: residency.last + 1,
                   size: problem.bytes(residency.tensor), alignment: problem.alignment)
        }
        // The greedy orders one at a time: the first that fits ends it (each
        // is O(n log n), seconds on hundreds of thousands of stretches);
        // once the deadline passes during them, one is enough. Past it from
        // the start: the start order first (without pins a sweep over the
        // free gaps, several times faster than the index the other orders
        // use), then the size order (often lower) on small problems, or
        // while the overrun is within the deadline's grace.
        let expired = deadline.expired
        let orders = expired ? [.start, .size] : GreedyOrder.allCases
        var greedy: AllocationSolution?
        for order in orders {
            let stop = expired ? buffers.count > smallProblem && deadline.overrun > deadline.grace : deadline.expired
            if greedy != nil, stop { break }
            let found = try BestOfGreedy(members: [GreedyAllocator(order: order)]).allocate(AllocationProblem(buffers: buffers)).solution
            if greedy == nil || found.height < greedy!.height { greedy = found }
            if found.height <= problem.capacity { break }
        }
        guard let solution = greedy else { return .placed(offsets: [], height: 0) }
        if solution.height <= problem.capacity { return .placed(offsets: solution.offsets, height: solution.height) }
        let budget = deadline.capped(at: searchSeconds)
        var offsets = solution.offsets
        var excess = overflow(residencies, offsets: offsets, problem: problem)
        let tall = Outcome.tooTall(height: solution.height, overflow: excess)
        guard !budget.expired else { return tall }

        // Runs of overflowing steps, each re-placed in a window around it.
        let steps = excess.count
        var s = 0
        while s < steps, !budget.expired {
            guard excess[s] > 0 else { s += 1; continue }
            var end = s
            while end + 1 < steps, excess[end + 1] > 0 { end += 1 }
            var margin = max(4, end - s + 1)
            while true {
                let window = max(0, s - margin) ... min(steps - 1, end + margin)
                let whole = window.lowerBound == 0 && window.upperBound == steps - 1
                if let placed = try placeWindow(window, buffers: buffers, offsets: offsets, capacity: problem.capacity,
                                                deadline: budget.fraction(0.3)) {
                    offsets = placed
                    break
                }
                if whole || budget.expired { break }
                margin *= 2  // a pinned stretch too high, or no fit found: more room to move
            }
            excess = overflow(residencies, offsets: offsets, problem: problem)
            s = end + 1
        }
        let height = zip(offsets, buffers).reduce(0) { max($0, $1.0 + $1.1.size) }
        if height <= problem.capacity { return .placed(offsets: offsets, height: height) }

        // Last, the exact search over everything in the time left.
        guard let left = budget.remaining, left > 0.01 else { return tall }
        let exact = try Portfolio(options: PortfolioOptions(method: .auto, timeLimit: left))
            .allocate(AllocationProblem(buffers: buffers, capacity: problem.capacity))
        if exact.feasible, let found = exact.solution, found.height <= problem.capacity {
            return .placed(offsets: found.offsets, height: found.height)
        }
        return tall
    }

    /// The buffers alive only inside `window` re-placed under `capacity`,
    /// the ones crossing its edges pinned at `offsets` (clipped to the
    /// window); nil when a pinned one is above the capacity or no fit is
    /// found in time. O(buffers) plus the search.
    private static func placeWindow(_ window: ClosedRange<Int>, buffers: [Buffer], offsets: [Int], capacity: Int,
                                    deadline: Deadline) throws(AllocationError) -> [Int]? {
        var local: [Buffer] = []
        var inside: [(global: Int, local: Int)] = []
        for (i, buffer) in buffers.enumerated() where buffer.upper > window.lowerBound && buffer.lower <= window.upperBound {
            if buffer.lower >= window.lowerBound, buffer.upper - 1 <= window.upperBound {
                inside.append((i, local.count))
                local.append(buffer)
            } else {
                guard offsets[i] + buffer.size <= capacity else { return nil }
                var pinned = buffer
                pinned.lower = max(buffer.lower, window.lowerBound)
                pinned.upper = min(buffer.upper, window.upperBound + 1)
                pinned.fixedOffset = offsets[i]
                local.append(pinned)
            }
        }
        let seconds = deadline.remaining ?? 60
        guard seconds > 0.01 else { return nil }
        let report = try Portfolio(options: PortfolioOptions(method: .auto, timeLimit: seconds))
            .allocate(AllocationProblem(buffers: local, capacity: capacity))
        guard report.feasible, let found = report.solution, found.height <= capacity else { return nil }
        var result = offsets
        for (i, k) in inside { result[i] = found.offsets[k] }
        return result
    }
}
