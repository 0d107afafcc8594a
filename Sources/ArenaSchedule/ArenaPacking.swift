import Allocation

/// Offsets for the arena tensors of one operator order: the order fixes
/// every lifetime, and the Allocation module's portfolio packs them.
public struct ArenaPacking: Sendable {
    public var order: [Int]
    /// Per arena tensor (``ArenaProblem/tensors``), its offset.
    public var offsets: [Int]
    /// The highest end, max(offset + bytes), 0 without tensors.
    public var height: Int
    /// The order's peak of live bytes.
    public var peak: Int
    /// The allocator method that made the offsets.
    public var allocator: String

    /// The lifetimes of `order` as buffers `[first, last + 1)`, one per
    /// arena tensor, named after the graph's tensors. O(tensors + edges).
    public static func buffers(_ problem: ArenaProblem, order: [Int]) -> [Buffer] {
        problem.lifetimes(order).enumerated().map { a, lifetime in
            Buffer(id: problem.graph.tensors[problem.tensors[a]].name, lower: lifetime.first, upper: lifetime.upper,
                   size: problem.bytes[a])
        }
    }

    /// Packs `order` with the portfolio: `greedy` (milliseconds, the best
    /// of the greedy orders) or `auto` (greedy, then the exact search for
    /// up to `timeLimit` seconds while a gap to the peak remains). The
    /// offsets are checked by the Allocation validator, which shares no
    /// code with the methods.
    /// - Throws: ``AllocationError`` when the sizes overflow a 64-bit
    ///   height, or an ``AllocationViolation`` if the offsets fail the check.
    public static func pack(_ problem: ArenaProblem, order: [Int], method: AllocationMethod,
                            timeLimit: Double?) throws -> ArenaPacking {
        let allocation = AllocationProblem(buffers: buffers(problem, order: order))
        var options = PortfolioOptions(method: method, timeLimit: timeLimit)
        options.searchSizeLimit = 5_000
        let report = try Portfolio(options: options).allocate(allocation)
        guard var offsets = report.solution?.offsets else {
            throw AllocationViolation("the allocator returned no offsets for \(allocation.count) buffers")
        }
        // Empty tensors occupy nothing; put them at 0 so they add no height.
        for a in offsets.indices where problem.bytes[a] == 0 { offsets[a] = 0 }
        let height = try Validator.height(of: offsets, for: allocation)
        return ArenaPacking(order: order, offsets: offsets, height: height, peak: problem.peak(of: order),
                            allocator: report.method)
    }
}
