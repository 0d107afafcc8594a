import Allocation

/// Gives every residency stretch an address with the fixed-lifetime offset
/// allocator: each stretch is a buffer alive over `[first, last + 1)`.
enum ResidencyPlacement {
    enum Outcome {
        case placed(offsets: [Int], height: Int)
        /// The best arena found is taller than the capacity.
        case tooTall(height: Int)
    }

    /// The greedy orders first (O(n log n) each); when none fits, the exact
    /// search of the allocation portfolio, for at most `searchSeconds`.
    static func place(_ residencies: [Residency], problem: ScratchpadProblem,
                      searchSeconds: Double = 2) throws(AllocationError) -> Outcome {
        let buffers = residencies.enumerated().map { index, residency in
            Buffer(id: "\(index)", lower: residency.first, upper: residency.last + 1,
                   size: problem.bytes(residency.tensor), alignment: problem.alignment)
        }
        let solution = try BestOfGreedy.standard.allocate(AllocationProblem(buffers: buffers)).solution
        if solution.height <= problem.capacity { return .placed(offsets: solution.offsets, height: solution.height) }
        let exact = try Portfolio(options: PortfolioOptions(method: .auto, timeLimit: searchSeconds))
            .allocate(AllocationProblem(buffers: buffers, capacity: problem.capacity))
        if exact.feasible, let found = exact.solution, found.height <= problem.capacity {
            return .placed(offsets: found.offsets, height: found.height)
        }
        return .tooTall(height: solution.height)
    }
}
