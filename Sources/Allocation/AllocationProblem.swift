/// A fixed-lifetime offset allocation problem: buffers with lifetimes,
/// sizes, alignments and optional fixed offsets, and an optional capacity.
///
/// A solution gives every buffer an offset (a multiple of its alignment, its
/// fixed offset when it has one) so that buffers whose lifetimes intersect
/// do not overlap in memory; its height is the largest `offset + size`
/// (0 without buffers). With a capacity, the height must not exceed it.
public struct AllocationProblem: Sendable, Equatable {
    public var buffers: [Buffer]
    public var capacity: Int?

    public init(buffers: [Buffer], capacity: Int? = nil) {
        self.buffers = buffers
        self.capacity = capacity
    }

    public var count: Int { buffers.count }

    /// Checks everything the algorithms rely on, in O(n log n) time:
    /// every buffer is well formed (``Buffer/defect``), ids are distinct,
    /// the capacity is not negative, ``heightLimit`` fits in 64 bits, and
    /// the pins agree with each other and with the capacity (no two pinned
    /// buffers alive together overlap, none ends above the capacity): a
    /// contradictory input is an error, not a problem without solution.
    ///
    /// Every public algorithm calls this first, so none of them traps on
    /// user input; after it succeeds they use plain arithmetic, because no
    /// height they compute exceeds ``heightLimit``.
    public func validate() throws(AllocationError) { try validate(checkingIDs: true) }

    /// ``validate()``, leaving out the search for repeated ids when the
    /// caller has already done it (the CSV reader keeps a table of the line
    /// of every id): hashing the ids is a third of the check's time.
    func validate(checkingIDs: Bool) throws(AllocationError) {
        if let capacity, capacity < 0 { throw .invalidCapacity(capacity) }
        var seen = Set<String>(minimumCapacity: checkingIDs ? buffers.count : 0)
        var pinned: [Int] = []
        // By index: copying each buffer would retain and release its id.
        for i in buffers.indices {
            if let defect = buffers[i].defect { throw .invalidBuffer(id: buffers[i].id, reason: defect) }
            if checkingIDs && !seen.insert(buffers[i].id).inserted { throw .duplicateID(buffers[i].id) }
            if let offset = buffers[i].fixedOffset {
                if let capacity, offset + buffers[i].size > capacity { throw .pinBeyondCapacity(buffers[i], capacity: capacity) }
                if buffers[i].size > 0 { pinned.append(i) }
            }
        }
        _ = try checkedHeightLimit()
        if pinned.count > 1 {
            let pins = pinned.map { buffers[$0] }
            let offsets = pins.map { $0.fixedOffset ?? 0 }
            if let (a, b) = Validator.firstOverlap(pins, offsets: offsets) { throw .overlappingPins(pins[a], pins[b]) }
        }
    }

    /// An upper bound on the height of every solution the algorithms here
    /// construct: the highest fixed end plus, for every buffer, its size
    /// plus its alignment (stacking every buffer, aligned, above the fixed
    /// ones). Validation guarantees it fits in an `Int`.
    public var heightLimit: Int { (try? checkedHeightLimit()) ?? Int.max }

    func checkedHeightLimit() throws(AllocationError) -> Int {
        var fixedTop = 0
        var stack = 0
        for i in buffers.indices {
            let size = buffers[i].size
            if let offset = buffers[i].fixedOffset { fixedTop = max(fixedTop, offset + size) }
            let (padded, o1) = size.addingReportingOverflow(buffers[i].alignment)
            let (sum, o2) = stack.addingReportingOverflow(padded)
            if o1 || o2 {
                throw .tooLarge("the sizes and alignments of the buffers add up to more than 64 bits can hold (at buffer '\(buffers[i].id)')")
            }
            stack = sum
        }
        let (limit, overflow) = fixedTop.addingReportingOverflow(stack)
        if overflow { throw .tooLarge("the highest fixed offset plus the sum of all sizes overflows 64 bits") }
        return limit
    }
}

/// Offsets for every buffer of a problem, in the problem's order, and the
/// height they reach.
public struct AllocationSolution: Sendable, Equatable {
    public var offsets: [Int]
    public var height: Int

    public init(offsets: [Int], height: Int) {
        self.offsets = offsets
        self.height = height
    }

    /// The solution's height measured from its offsets: max(offset + size).
    static func height(of offsets: [Int], sizes: [Int]) -> Int {
        var height = 0
        for i in offsets.indices { height = max(height, offsets[i] + sizes[i]) }
        return height
    }
}
