import MemoryGraph

/// The capacities COSMA's evaluation uses (shared/specs/scratchpad-ilp.md):
/// M_R, below which some operator cannot run; M_P, at or above which no
/// tensor needs to leave the scratchpad early; and M_H halfway between.
public struct ScratchpadBudgets: Sendable, Equatable, Codable {
    /// The largest footprint of one operator (inputs, weights, outputs).
    public var minimum: Int
    /// The peak of tensors kept from first to last use, under the schedule
    /// given (the file order by default): an upper estimate of the smallest
    /// such peak over all schedules.
    public var noSpill: Int

    /// M_H, rounded down. Written so that it cannot overflow: the graph
    /// bounds only the sum of all its tensors by `Int.max`, so
    /// `minimum + noSpill` can exceed it (noSpill >= minimum always).
    public var half: Int { minimum + (noSpill - minimum) / 2 }

    /// O(tensors + edges).
    public init(_ problem: ScratchpadProblem) {
        var minimum = 0
        for s in problem.need.indices { minimum = max(minimum, problem.footprint(atStep: s)) }
        let steps = problem.need.count
        var delta = [Int](repeating: 0, count: steps + 1)
        for (t, steps) in problem.uses.enumerated() {
            guard let first = steps.first, let last = steps.last else { continue }
            delta[first] += problem.bytes(t)
            delta[last + 1] -= problem.bytes(t)
        }
        var running = 0
        var peak = 0
        for s in 0 ..< steps {
            running += delta[s]
            peak = max(peak, running)
        }
        self.minimum = minimum
        self.noSpill = max(peak, minimum)
    }

    /// Resolves "M_R", "M_H", "M_P" (case-insensitive).
    public func named(_ name: String) -> Int? {
        switch name.uppercased() {
        case "M_R", "MR": return minimum
        case "M_H", "MH": return half
        case "M_P", "MP": return noSpill
        default: return nil
        }
    }
}
