import MILP
import Synchronization

/// Lowers a solution's height by re-solving windows of time around the
/// buffers that reach above a target, with everything outside each window
/// left where it is.
///
/// For a target height T, the buffers ending above T are grouped by their
/// lifetimes into regions. Around each region a window of time is chosen,
/// its edges moved to nearby instants where few lifetimes cross (where the
/// program decomposes). The buffers living entirely inside the window are
/// free; those crossing its edges keep their offsets and become pins of a
/// sub-problem (lifetimes clipped to the window), which is solved within T
/// by the greedy orders, then with random tie-breaks, then, when small, by
/// the exact search. No buffer outside the window conflicts with a free one
/// except through the pins, so the solution stays valid. A region that
/// cannot be solved gets a wider window (more freedom, more work), up to a
/// limit. Targets are bisected between the best height found and the
/// lowest target not yet reached, starting at the lower bound.
///
/// Each window sub-problem of k buffers costs what the greedy passes cost
/// on k buffers (O(k log k) on typical traces); a window query costs
/// O((k + 1) log n). Memory O(n) beyond the caller's problem.
struct PeakRepair {
    let context: GreedyContext
    /// All buffers of positive size, by lifetime, for window queries.
    private let intervals: PlacedIndex
    /// Distinct lifetime endpoints, and how many lifetimes strictly cross
    /// each (`lower < t < upper`).
    private let times: [Int]
    private let crossing: [Int]
    private(set) var offsets: [Int]
    private(set) var height: Int
    /// What the repair found, in order: seconds since it started and height.
    private(set) var history: [(seconds: Double, height: Int)] = []

    /// Largest number of free buffers in one window.
    var windowLimit = 40_000
    /// Largest number of free buffers handed to the exact search.
    var exactLimit = 400
    var randomRestarts = 4

    init(_ context: GreedyContext, start: AllocationSolution) {
        self.context = context
        offsets = start.offsets
        height = start.height
        var index = PlacedIndex(lower: context.lower, upper: context.upper)
        for i in 0 ..< context.count where context.size[i] > 0 { index.insert(i) }
        intervals = index
        let unique = TimeAxis(lower: context.lower, upper: context.upper).times
        times = unique
        var delta = [Int](repeating: 0, count: unique.count + 1)
        for i in 0 ..< context.count where context.size[i] > 0 {
            delta[context.first[i] + 1] += 1
            delta[context.end[i]] -= 1
        }
        var crossing = [Int](repeating: 0, count: unique.count)
        var running = 0
        for k in 0 ..< unique.count {
            running += delta[k]
            crossing[k] = running
        }
        self.crossing = crossing
    }

    /// Lowers the height towards `floor` (a lower bound) until `deadline`,
    /// or until bisection between the height and the lowest failed target
    /// narrows below `resolution` bytes. Returns whether it improved.
    mutating func run(floor: Int, resolution: Int, deadline: Deadline, progress: ((Int) -> Void)? = nil) -> Bool {
        let started = height
        let clock = Deadline(seconds: nil)
        var failed = floor - 1
        while height > floor && !deadline.expired {
            let target = failed < floor ? floor : failed + (height - failed) / 2
            if target >= height || height - failed <= max(1, resolution) { break }
            if attempt(target, deadline: deadline) {
                history.append((clock.elapsed, height))
                progress?(height)
            } else {
                failed = target
            }
        }
        return height < started
    }

    /// Re-solves windows until no buffer ends above `target`; keeps the
    /// result only when that succeeds everywhere.
    mutating func attempt(_ target: Int, deadline: Deadline) -> Bool {
        var work = offsets
        var offenders: [Int] = []
        for i in 0 ..< context.count where context.size[i] > 0 && work[i] + context.size[i] > target {
            if context.fixed[i] >= 0 { return false }  // a pin above the target: nothing to do
            offenders.append(i)
        }
        offenders.sort { context.lower[$0] < context.lower[$1] }
        // Regions: overlapping lifetimes of the offenders, merged.
        var regions: [(lo: Int, hi: Int)] = []
        for i in offenders {
            if let last = regions.last, context.lower[i] < last.hi {
                regions[regions.count - 1].hi = max(last.hi, context.upper[i])
            } else {
                regions.append((context.lower[i], context.upper[i]))
            }
        }
        for region in regions {
            // A region an earlier window already solved needs nothing.
            if !Self.anyAbove(target, in: region, offsets: work, context: context, intervals: intervals) { continue }
            var (lo, hi) = region
            var pad = 8
            while true {
                if deadline.expired { return false }
                let (wlo, whi) = snap(lo, hi, pad: pad)
                switch solveWindow(wlo, whi, target: target, offsets: work, deadline: deadline) {
                case .solved(let moves):
                    for (i, offset) in moves { work[i] = offset }
                case .widen(let a, let b):
                    lo = min(lo, a)
                    hi = max(hi, b)
                    continue
                case .failed(let free):
                    if free >= windowLimit || (wlo <= times.first ?? 0 && whi >= times.last ?? 0) { return false }
                    pad *= 4
                    continue
                }
                break
            }
        }
        offsets = work
        height = AllocationSolution.height(of: work, sizes: context.size)
        return true
    }

    enum WindowResult {
        case solved([(Int, Int)])
        /// A pin ends above the target: the window must include it.
        case widen(Int, Int)
        case failed(free: Int)
    }

    /// The window [lo, hi) re-solved within `target` with everything
    /// crossing its edges pinned.
    func solveWindow(_ lo: Int, _ hi: Int, target: Int, offsets: [Int], deadline: Deadline) -> WindowResult {
        var found: [Int] = []
        var stack: [Int] = []
        intervals.forEachConflict(lower: lo, upper: hi, stack: &stack, into: &found)
        var free: [Int] = []
        var pins: [Int] = []
        var widen: (Int, Int)?
        for i in found {
            if context.fixed[i] < 0 && context.lower[i] >= lo && context.upper[i] <= hi {
                free.append(i)
            } else {
                pins.append(i)
                if offsets[i] + context.size[i] > target {
                    if context.fixed[i] >= 0 { return .failed(free: Int.max) }
                    widen = (min(widen?.0 ?? context.lower[i], context.lower[i]), max(widen?.1 ?? context.upper[i], context.upper[i]))
                }
            }
        }
        if let widen { return .widen(widen.0, widen.1) }
        if free.isEmpty { return .failed(free: 0) }
        if free.count > windowLimit { return .failed(free: free.count) }
        let members = free + pins
        let sub = GreedyContext(
            lower: members.map { max(lo, context.lower[$0]) }, upper: members.map { min(hi, context.upper[$0]) },
            size: members.map { context.size[$0] }, alignment: members.map { context.alignment[$0] },
            fixed: members.enumerated().map { $0.offset < free.count ? -1 : offsets[$0.element] })
        let tries: [GreedyAllocator] = Portfolio.windowMembers + (0 ..< UInt64(randomRestarts)).map { seed in
            GreedyAllocator(order: .sizeThenStart, gap: seed % 2 == 0 ? .firstFit : .bestFit, tieBreakSeed: seed + 1)
        }
        let answer = Mutex<[Int]?>(nil)
        let next = Mutex(0)
        _ = Parallel.map(Parallel.width) { _ in
            while true {
                if answer.withLock({ $0 != nil }) || deadline.expired { return 0 }
                let k = next.withLock { value -> Int in
                    defer { value += 1 }
                    return value
                }
                if k >= tries.count { return 0 }
                if let solution = tries[k].allocate(sub, deadline: deadline), solution.height <= target {
                    answer.withLock { if $0 == nil { $0 = solution.offsets } }
                }
            }
        }
        if let solution = answer.withLock({ $0 }) {
            return .solved((0 ..< free.count).map { (free[$0], solution[$0]) })
        }
        if free.count <= exactLimit, let solution = exact(sub, target: target, deadline: deadline) {
            return .solved((0 ..< free.count).map { (free[$0], solution[$0]) })
        }
        return .failed(free: free.count)
    }

    /// The exact search on a small window, for a short while.
    private func exact(_ sub: GreedyContext, target: Int, deadline: Deadline) -> [Int]? {
        let buffers = (0 ..< sub.count).map { k in
            Buffer(id: "w\(k)", lower: sub.lower[k], upper: sub.upper[k], size: sub.size[k], alignment: sub.alignment[k],
                   fixedOffset: sub.fixed[k] >= 0 ? sub.fixed[k] : nil)
        }
        var options = SearchOptions(timeLimit: min(0.5, deadline.remaining ?? 0.5), nodeLimit: 200_000)
        options.greedyFirst = false
        guard let report = try? ExactSearch(options: options).fit(AllocationProblem(buffers: buffers), capacity: target),
              case .fit(let solution) = report.outcome else { return nil }
        return solution.offsets
    }

    /// The window around [lo, hi) widened by up to `pad` endpoints on each
    /// side, each edge at the endpoint where the fewest lifetimes cross.
    func snap(_ lo: Int, _ hi: Int, pad: Int) -> (Int, Int) {
        let a = TimeAxis.position(of: lo, in: times), b = TimeAxis.position(of: hi, in: times)
        var left = a
        for k in stride(from: a, through: max(0, a - pad), by: -1) where crossing[k] < crossing[left] { left = k }
        var right = min(b, times.count - 1)
        if right >= 0 {
            for k in right ... min(times.count - 1, b + pad) where crossing[k] < crossing[right] { right = k }
        }
        return (times.isEmpty ? lo : times[left], times.isEmpty ? hi : times[max(right, 0)])
    }

    static func anyAbove(_ target: Int, in region: (lo: Int, hi: Int), offsets: [Int], context: GreedyContext,
                         intervals: PlacedIndex) -> Bool {
        var found: [Int] = []
        var stack: [Int] = []
        intervals.forEachConflict(lower: region.lo, upper: region.hi, stack: &stack, into: &found)
        return found.contains { offsets[$0] + context.size[$0] > target }
    }
}
