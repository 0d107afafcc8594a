/// The order in which a greedy allocator places buffers.
public enum GreedyOrder: String, Sendable, CaseIterable, Codable {
    /// Largest first (TensorFlow Lite's arena planner, XLA's "spatial" order).
    case size
    /// Longest lifetime first (XLA's "temporal" order).
    case lifetime
    /// Largest size × lifetime first (XLA's "area" order).
    case area
    /// Earliest start first: an online allocator replaying the program.
    case start
}

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
/// O(log T + r log r) to gather the occupied address ranges over its
/// lifetime from ``GapIndex`` (T lifetime endpoints, r coalesced ranges in
/// the O(log T) lists it reads) and O(r) to walk the gaps, and O(log T)
/// list updates to insert it. Neither depends on the number of conflicting
/// buffers: a region filled by many buffers is one range. r is at most the
/// number of buffers alive at once, so the worst case (every buffer alive
/// together and fragmented) is O(n² log n); on real traces it is far less.
public struct GreedyAllocator: Sendable {
    public var order: GreedyOrder
    public var gap: GapChoice

    public init(order: GreedyOrder = .size, gap: GapChoice = .bestFit) {
        self.order = order
        self.gap = gap
    }

    public var name: String { "greedy-\(order.rawValue)" + (gap == .bestFit ? "" : "-firstfit") }

    /// A solution of `problem`, ignoring its capacity (the height says
    /// whether it fits).
    public func allocate(_ problem: AllocationProblem) throws(AllocationError) -> AllocationSolution {
        try problem.validate()
        return allocate(validated: problem.buffers)
    }

    func allocate(validated buffers: [Buffer]) -> AllocationSolution {
        let n = buffers.count
        let lower = buffers.map(\.lower), upper = buffers.map(\.upper)
        let size = buffers.map(\.size), alignment = buffers.map(\.alignment)
        var index = GapIndex(lower: lower, upper: upper)
        var offsets = [Int](repeating: 0, count: n)
        var height = 0

        // Fixed buffers first: they cannot move, so everything else must
        // fit around them. Zero-sized buffers occupy nothing: offset 0.
        var free: [Int] = []
        free.reserveCapacity(n)
        for i in 0 ..< n {
            if let fixed = buffers[i].fixedOffset {
                offsets[i] = fixed
                height = max(height, fixed + size[i])
                if size[i] > 0 { index.insert(i, start: fixed, stop: fixed + size[i]) }
            } else if size[i] == 0 {
                offsets[i] = 0
            } else {
                free.append(i)
            }
        }
        sortFree(&free, lower: lower, upper: upper, size: size)

        var occupied: [(start: Int, end: Int)] = []
        for i in free {
            occupied.removeAll(keepingCapacity: true)
            // Each list is sorted; the standard sort merges such runs cheaply.
            if index.occupied(by: i, into: &occupied) > 1 { occupied.sort { $0.start < $1.start } }
            let offset = place(size: size[i], alignment: alignment[i], among: occupied)
            offsets[i] = offset
            height = max(height, offset + size[i])
            index.insert(i, start: offset, stop: offset + size[i])
        }
        return AllocationSolution(offsets: offsets, height: height)
    }

    /// The same allocation as `allocate(validated:)`, found by listing every
    /// placed conflicting buffer through ``PlacedIndex``: O(k log k) per
    /// buffer for k conflicts. Kept as a reference for the tests.
    func allocateByScanning(validated buffers: [Buffer]) -> AllocationSolution {
        let n = buffers.count
        let lower = buffers.map(\.lower), upper = buffers.map(\.upper)
        let size = buffers.map(\.size), alignment = buffers.map(\.alignment)
        var index = PlacedIndex(lower: lower, upper: upper)
        var offsets = [Int](repeating: 0, count: n)
        var ends = [Int](repeating: 0, count: n)
        var height = 0

        // Fixed buffers first: they cannot move, so everything else must
        // fit around them. Zero-sized buffers occupy nothing: offset 0.
        var free: [Int] = []
        free.reserveCapacity(n)
        for i in 0 ..< n {
            if let fixed = buffers[i].fixedOffset {
                offsets[i] = fixed
                ends[i] = fixed + size[i]
                height = max(height, ends[i])
                if size[i] > 0 { index.insert(i) }
            } else if size[i] == 0 {
                offsets[i] = 0
            } else {
                free.append(i)
            }
        }
        sortFree(&free, lower: lower, upper: upper, size: size)

        var stack: [Int] = []
        var occupied: [(start: Int, end: Int)] = []
        var found: [Int] = []
        var keys: [Int] = []
        // Sorting plain integers is several times faster than sorting pairs
        // through a closure: while offsets stay below 2^42, a key packs the
        // offset above the conflict's slot (21 bits).
        let packable = problemHeightLimit(size: size, alignment: alignment, fixed: buffers) < 1 << 42
        for i in free {
            found.removeAll(keepingCapacity: true)
            index.forEachConflict(lower: lower[i], upper: upper[i], stack: &stack, into: &found)
            occupied.removeAll(keepingCapacity: true)
            if packable && found.count < 1 << 21 {
                keys.removeAll(keepingCapacity: true)
                for (slot, j) in found.enumerated() { keys.append(offsets[j] << 21 | slot) }
                keys.sort()
                for key in keys {
                    let j = found[key & (1 << 21 - 1)]
                    occupied.append((offsets[j], ends[j]))
                }
            } else {
                for j in found { occupied.append((offsets[j], ends[j])) }
                occupied.sort { $0.start < $1.start }
            }
            let offset = place(size: size[i], alignment: alignment[i], among: occupied)
            offsets[i] = offset
            ends[i] = offset + size[i]
            height = max(height, ends[i])
            index.insert(i)
        }
        return AllocationSolution(offsets: offsets, height: height)
    }

    /// The fixed tops plus every size and alignment: no offset here exceeds it.
    private func problemHeightLimit(size: [Int], alignment: [Int], fixed buffers: [Buffer]) -> Int {
        AllocationProblem(buffers: buffers).heightLimit
    }

    private func sortFree(_ free: inout [Int], lower: [Int], upper: [Int], size: [Int]) {
        // Ties fall back to the other keys and finally the index, so the
        // result never depends on the sort's stability.
        switch order {
        case .size:
            free.sort { a, b in
                if size[a] != size[b] { return size[a] > size[b] }
                let la = upper[a] - lower[a], lb = upper[b] - lower[b]
                if la != lb { return la > lb }
                if lower[a] != lower[b] { return lower[a] < lower[b] }
                return a < b
            }
        case .lifetime:
            free.sort { a, b in
                let la = upper[a] - lower[a], lb = upper[b] - lower[b]
                if la != lb { return la > lb }
                if size[a] != size[b] { return size[a] > size[b] }
                if lower[a] != lower[b] { return lower[a] < lower[b] }
                return a < b
            }
        case .area:
            // size × length may overflow an Int; compare as Double (ties
            // are broken exactly below).
            free.sort { a, b in
                let xa = Double(size[a]) * Double(upper[a] - lower[a])
                let xb = Double(size[b]) * Double(upper[b] - lower[b])
                if xa != xb { return xa > xb }
                if size[a] != size[b] { return size[a] > size[b] }
                if lower[a] != lower[b] { return lower[a] < lower[b] }
                return a < b
            }
        case .start:
            free.sort { a, b in
                if lower[a] != lower[b] { return lower[a] < lower[b] }
                if size[a] != size[b] { return size[a] > size[b] }
                return a < b
            }
        }
    }

    /// The offset for a buffer among `occupied` intervals sorted by start.
    /// Walks the gaps once: O(k).
    private func place(size: Int, alignment: Int, among occupied: [(start: Int, end: Int)]) -> Int {
        var cursor = 0
        var best: (gap: Int, offset: Int)?
        for interval in occupied {
            if interval.start > cursor {
                let candidate = roundUp(cursor, alignment)
                if candidate + size <= interval.start {
                    let gapSize = interval.start - cursor
                    if gap == .firstFit { return candidate }
                    if best == nil || gapSize < best!.gap { best = (gapSize, candidate) }
                }
            }
            cursor = max(cursor, interval.end)
        }
        return best?.offset ?? roundUp(cursor, alignment)
    }
}

/// The best of several greedy allocators, as XLA's heap simulator does:
/// run each order and keep the lowest height. Costs the sum of its members.
public struct BestOfGreedy: Sendable {
    public var members: [GreedyAllocator]

    /// Size, lifetime, area and start orders with best fit.
    public static let standard = BestOfGreedy(members: GreedyOrder.allCases.map { GreedyAllocator(order: $0) })

    public init(members: [GreedyAllocator]) { self.members = members }

    /// The lowest solution and the name of the allocator that found it.
    public func allocate(_ problem: AllocationProblem) throws(AllocationError) -> (solution: AllocationSolution, method: String) {
        try problem.validate()
        return allocate(validated: problem.buffers)
    }

    /// Stops early once a member reaches `goal` (a lower bound: nothing
    /// can beat it).
    func allocate(validated buffers: [Buffer], goal: Int = 0) -> (solution: AllocationSolution, method: String) {
        var best: (solution: AllocationSolution, method: String)?
        for member in members {
            let solution = member.allocate(validated: buffers)
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
