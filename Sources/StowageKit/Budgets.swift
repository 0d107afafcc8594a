import Scratchpad

/// The three capacities of COSMA's evaluation for one graph in its file
/// order (see ``Capacity``), in bytes.
public struct Budgets: Sendable, Hashable, Codable {
    /// M_R: the largest footprint of one operator (inputs, weights, outputs).
    public var minimum: Int
    /// M_P: the peak of tensors kept resident from first to last use.
    public var noSpill: Int
    /// M_H: halfway between, rounded down. (Written so that it cannot
    /// overflow: `minimum + noSpill` can exceed `Int.max` for graphs of
    /// 2^62-byte tensors, which the graph's own overflow check allows.)
    public var half: Int { minimum + (noSpill - minimum) / 2 }

    public init(minimum: Int, noSpill: Int) {
        self.minimum = minimum
        self.noSpill = noSpill
    }

    init(_ budgets: ScratchpadBudgets) {
        self.init(minimum: budgets.minimum, noSpill: budgets.noSpill)
    }
}
