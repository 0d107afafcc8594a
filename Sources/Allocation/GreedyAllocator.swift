import MILP

/// Where a greedy allocator puts a buffer among the gaps left by the placed
/// buffers it conflicts with.
public enum GapChoice: String, Sendable, CaseIterable, Codable {
    /// The smallest gap that holds the buffer (TFLite, XLA), else the top.
    case bestFit
    /// The lowest gap that holds the buffer.
    case firstFit
}

/// Greedy allocation: buffers are taken one at a time in a fixed order and
/// each goes into a gap between the already placed buffers it conflicts
/// with (or above them), never moving again.
///
/// Complexity: O(n log n) for the order and the index, plus, per buffer,
/// O(log T + r log L) to walk the occupied address ranges over its lifetime
/// from ``GapIndex`` (T lifetime endpoints, r coalesced ranges in the L ≤
/// 2 log T lists it reads; the walk stops early at a first fit or an exact
/// best fit), and O(log T) list updates to insert it. Neither depends on the
/// number of conflicting buffers: a region filled by many buffers is one
/// range. r is at most the number of buffers alive at once, so the worst
/// case (every buffer alive together and fragmented) is O(n² log n). The
/// `start` order without pins takes a sweep instead: the placed buffers that
/// conflict are exactly those alive at the start, kept sorted by offset,
/// O(n log n + n·a) for at most a buffers alive at once. Memory O(n log T)
/// for the index (each placed range is kept in O(log T) lists), O(n) else.
public struct GreedyAllocator: Sendable, Equatable {
    public var order: GreedyOrder
    public var gap: GapChoice
    /// Breaks the last ties at random (seeded) instead of by index: a
    /// different greedy solution per seed, for randomised restarts.
    public var tieBreakSeed: UInt64?

    public init(order: GreedyOrder = .size, gap: GapChoice = .bestFit, tieBreakSeed: UInt64? = nil) {
        self.order = order
        self.gap = gap
        self.tieBreakSeed = tieBreakSeed
    }

    public var name: String {
        "greedy-\(order.rawValue)" + (gap == .bestFit ? "" : "-firstfit") + (tieBreakSeed.map { "-seed\($0)" } ?? "")
    }

    /// A solution of `problem`, ignoring its capacity (the height says
    /// whether it fits).
    public func allocate(_ problem: AllocationProblem) throws(AllocationError) -> AllocationSolution {
        try problem.validate()
        return allocate(validated: problem.buffers)
    }

    func allocate(validated buffers: [Buffer]) -> AllocationSolution {
        // Without a deadline the pass always completes.
        allocate(GreedyContext(buffers), deadline: nil) ?? AllocationSolution(offsets: [], height: 0)
    }

    /// The pass over a prepared problem; nil when `deadline` expires or
    /// `stop` is raised first (both checked every 1,024 buffers).
    func allocate(_ context: GreedyContext, deadline: Deadline?, stop: StopSignal? = nil) -> AllocationSolution? {
        let tie = tieBreakSeed.map { seed -> [Int] in
            var rng = SplitMix64(seed: seed)
            var ranks = Array(0 ..< context.count)
            ranks.shuffle(using: &rng)
            return ranks
        } ?? context.identity
        let sequence = order.sorted(context.free, lower: context.lower, upper: context.upper, size: context.size, tie: tie)
        return place(context, sequence, byStart: order == .start, deadline: deadline, stop: stop)
    }

    /// Places the free buffers in `sequence` (each free buffer of positive
    /// size once), the pinned ones first. `byStart`: the sequence is by start
    /// time, so the sweep may replace the index when nothing is pinned.
    func place(_ context: GreedyContext, _ sequence: [Int], byStart: Bool, deadline: Deadline?,
               stop: StopSignal? = nil) -> AllocationSolution? {
        let n = context.count
        var offsets = [Int](repeating: 0, count: n)
        var height = 0
        for i in context.pinned {
            offsets[i] = context.fixed[i]
            height = max(height, context.fixed[i] + context.size[i])
        }
        if byStart && context.pinned.isEmpty {
            return sweep(context, sequence, offsets: &offsets, height: height, deadline: deadline, stop: stop)
        }
        var index = GapIndex(context)
        for i in context.pinned where context.size[i] > 0 {
            index.insert(i, start: context.fixed[i], stop: context.fixed[i] + context.size[i])
        }
        var scratch = GapScratch()
        let firstFit = gap == .firstFit
        for (k, i) in sequence.enumerated() {
            if k & 1023 == 1023, deadline?.expired == true || stop?.isRaised == true { return nil }
            let offset = index.place(i, size: context.size[i], alignment: context.alignment[i], firstFit: firstFit, scratch: &scratch)
            offsets[i] = offset
            height = max(height, offset + context.size[i])
            index.insert(i, start: offset, stop: offset + context.size[i])
        }
        return AllocationSolution(offsets: offsets, height: height)
    }

    /// The `start` order as a sweep: when a buffer starts, the placed
    /// buffers it conflicts with are exactly those still alive. The sweep
    /// keeps the free gaps between them (sorted, disjoint) and the top of
    /// the highest, so a placement walks the gaps (few, when the packing is
    /// tight) rather than the live buffers; a buffer that ends frees its
    /// range, merged with the gaps it touches. O(n log n + n·g) for at most
    /// g gaps at once; places exactly as the index would.
    private func sweep(_ context: GreedyContext, _ sequence: [Int], offsets: inout [Int], height: Int,
                       deadline: Deadline?, stop: StopSignal?) -> AllocationSolution? {
        var height = height
        var gaps = FreeGaps()
        var ending = MinHeap()       // (upper, buffer) of the live buffers
        let firstFit = gap == .firstFit
        for (k, i) in sequence.enumerated() {
            if k & 1023 == 1023, deadline?.expired == true || stop?.isRaised == true { return nil }
            let now = context.lower[i]
            while let (upper, j) = ending.peek, upper <= now {
                _ = ending.pop()
                gaps.free(offsets[j], offsets[j] + context.size[j])
            }
            let offset = gaps.place(size: context.size[i], alignment: context.alignment[i], firstFit: firstFit)
            offsets[i] = offset
            height = max(height, offset + context.size[i])
            ending.push(key: context.upper[i], value: i)
        }
        return AllocationSolution(offsets: offsets, height: height)
    }

    /// The same allocation as `allocate(validated:)`, found by listing every
    /// placed conflicting buffer through ``PlacedIndex``: O(k log k) per
    /// buffer for k conflicts. Kept as a reference for the tests.
    func allocateByScanning(validated buffers: [Buffer]) -> AllocationSolution {
        let context = GreedyContext(buffers)
        let n = buffers.count
        let lower = context.lower, upper = context.upper, size = context.size, alignment = context.alignment
        var index = PlacedIndex(lower: lower, upper: upper)
        var offsets = [Int](repeating: 0, count: n)
        var ends = [Int](repeating: 0, count: n)
        var height = 0
        for i in context.pinned {
            offsets[i] = context.fixed[i]
            ends[i] = context.fixed[i] + size[i]
            height = max(height, ends[i])
            if size[i] > 0 { index.insert(i) }
        }
        let tie = tieBreakSeed.map { seed -> [Int] in
            var rng = SplitMix64(seed: seed)
            var ranks = Array(0 ..< n)
            ranks.shuffle(using: &rng)
            return ranks
        } ?? context.identity
        let sequence = order.sorted(context.free, lower: lower, upper: upper, size: size, tie: tie)
        var stack: [Int] = []
        var occupied: [(start: Int, end: Int)] = []
        var found: [Int] = []
        for i in sequence {
            found.removeAll(keepingCapacity: true)
            index.forEachConflict(lower: lower[i], upper: upper[i], stack: &stack, into: &found)
            occupied.removeAll(keepingCapacity: true)
            for j in found { occupied.append((offsets[j], ends[j])) }
            occupied.sort { $0.start < $1.start }
            var cursor = 0
            var best: (gap: Int, offset: Int)?
            for interval in occupied {
                if interval.start > cursor {
                    let candidate = roundUp(cursor, alignment[i])
                    if candidate + size[i] <= interval.start {
                        let gapSize = interval.start - cursor
                        if gap == .firstFit { best = (0, candidate); break }
                        if best == nil || gapSize < best!.gap { best = (gapSize, candidate) }
                    }
                }
                cursor = max(cursor, interval.end)
            }
            let offset = best?.offset ?? roundUp(cursor, alignment[i])
            offsets[i] = offset
            ends[i] = offset + size[i]
            height = max(height, ends[i])
            index.insert(i)
        }
        return AllocationSolution(offsets: offsets, height: height)
    }
}

/// A problem's buffers as the greedy passes read them, prepared once and
/// shared by every pass of a portfolio: columns, pinned and free buffers,
/// and the lifetimes' positions among the distinct endpoints. O(n log n)
/// time, O(n) memory.
struct GreedyContext: Sendable {
    let count: Int
    let lower: [Int], upper: [Int], size: [Int], alignment: [Int]
    /// The fixed offset, or -1.
    let fixed: [Int]
    /// Pinned buffers, and free buffers of positive size (zero-sized free
    /// buffers stay at offset 0: they occupy nothing).
    let pinned: [Int]
    let free: [Int]
    let identity: [Int]
    /// Each lifetime as elementary intervals between distinct endpoints.
    let first: [Int], end: [Int]
    let elementaryIntervals: Int

    init(_ buffers: [Buffer]) {
        self.init(lower: buffers.map(\.lower), upper: buffers.map(\.upper), size: buffers.map(\.size),
                  alignment: buffers.map(\.alignment), fixed: buffers.map { $0.fixedOffset ?? -1 })
    }

    /// Columns of a valid problem (`fixed` -1 for free buffers); `axis`:
    /// the lifetimes' elementary intervals when already known (the same
    /// lifetimes, other pins), saving the sort of the endpoints.
    init(lower: [Int], upper: [Int], size: [Int], alignment: [Int], fixed: [Int],
         axis known: (first: [Int], end: [Int], intervals: Int)? = nil) {
        count = lower.count
        self.lower = lower
        self.upper = upper
        self.size = size
        self.alignment = alignment
        self.fixed = fixed
        var pinned: [Int] = [], free: [Int] = []
        for i in 0 ..< count {
            if fixed[i] >= 0 { pinned.append(i) } else if size[i] > 0 { free.append(i) }
        }
        self.pinned = pinned
        self.free = free
        identity = Array(0 ..< count)
        if let known {
            first = known.first
            end = known.end
            elementaryIntervals = known.intervals
        } else {
            let axis = TimeAxis(lower: lower, upper: upper)
            first = lower.map(axis.position)
            end = upper.map(axis.position)
            elementaryIntervals = axis.intervals
        }
    }
}

extension GreedyContext {
    /// The free buffers alive through at least `fraction` of the horizon.
    /// O(n).
    func spanningFree(fraction: Double) -> [Int] {
        guard let start = lower.min(), let stop = upper.max() else { return [] }
        let length = Double(stop - start) * fraction
        return free.filter { Double(upper[$0] - lower[$0]) >= length }
    }

    /// Whether ``spanningPinned(fraction:)`` would pin anything. O(n).
    func hasSpanning(fraction: Double) -> Bool { !spanningFree(fraction: fraction).isEmpty }

    /// The same problem with the free buffers that live through at least
    /// `fraction` of the horizon pinned at the bottom, stacked largest
    /// first, aligned, above any pin in the way; nil when there are none.
    /// Orders by size place such buffers late when they are small, on top
    /// of the peak, where nothing short can make room for them; placed
    /// first they cost nothing (a buffer alive throughout can always sit at
    /// the bottom) or little. O(n log n + k·p) for k such buffers and p pins.
    func spanningPinned(fraction: Double = 1) -> GreedyContext? {
        var spanning = spanningFree(fraction: fraction)
        if spanning.isEmpty { return nil }
        spanning.sort { size[$0] != size[$1] ? size[$0] > size[$1] : $0 < $1 }
        var fixed = self.fixed
        // Each goes right above the previous one, past any pin in the way
        // (a spanning buffer conflicts with every pin). O(k·p) for p pins.
        let pins = pinned.filter { size[$0] > 0 }.map { (self.fixed[$0], self.fixed[$0] + size[$0]) }
        var top = 0
        for i in spanning {
            var at = roundUp(top, alignment[i])
            var moved = true
            while moved {
                moved = false
                for (a, b) in pins where a < at + size[i] && at < b {
                    at = roundUp(b, alignment[i])
                    moved = true
                }
            }
            fixed[i] = at
            top = at + size[i]
        }
        return GreedyContext(lower: lower, upper: upper, size: size, alignment: alignment, fixed: fixed,
                             axis: (first, end, elementaryIntervals))
    }
}

/// The best of several greedy allocators, as XLA's heap simulator does:
/// run each order and keep the lowest height. Costs the sum of its members.
public struct BestOfGreedy: Sendable {
    public var members: [GreedyAllocator]

    /// Size, lifetime, area and start orders with best fit.
    public static let standard = BestOfGreedy(members: [GreedyOrder.size, .lifetime, .area, .start].map { GreedyAllocator(order: $0) })

    public init(members: [GreedyAllocator]) { self.members = members }

    /// The lowest solution and the name of the allocator that found it.
    public func allocate(_ problem: AllocationProblem) throws(AllocationError) -> (solution: AllocationSolution, method: String) {
        try problem.validate()
        return allocate(validated: problem.buffers)
    }

    /// Stops early once a member reaches `goal` (a lower bound: nothing
    /// can beat it).
    func allocate(validated buffers: [Buffer], goal: Int = 0) -> (solution: AllocationSolution, method: String) {
        let context = GreedyContext(buffers)
        var best: (solution: AllocationSolution, method: String)?
        for member in members {
            guard let solution = member.allocate(context, deadline: nil) else { continue }
            if best == nil || solution.height < best!.solution.height { best = (solution, member.name) }
            if solution.height <= goal { break }
        }
        return best ?? (AllocationSolution(offsets: Array(repeating: 0, count: buffers.count), height: 0), "greedy")
    }
}

/// The least multiple of `alignment` (> 0) not below `value` (≥ 0).
@inline(__always)
func roundUp(_ value: Int, _ alignment: Int) -> Int {
    alignment == 1 ? value : (value + alignment - 1) / alignment * alignment
}
