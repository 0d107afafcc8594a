import Scratchpad

/// The three capacities of COSMA's evaluation for one graph in its file
/// order (see ``Capacity``), in bytes.
public struct Budgets: Sendable, Hashable, Codable {
    /// M_R: the largest footprint of one operator (inputs, weights, outputs).
    public var minimum: Int
    /// M_P: the peak of tensors kept resident from first to last use.
    public var noSpill: Int
    /// M_H: halfway between.
    public var half: Int { (minimum + noSpill) / 2 }

    public init(minimum: Int, noSpill: Int) {
        self.minimum = minimum
        self.noSpill = noSpill
    }

    init(_ budgets: ScratchpadBudgets) {
        self.init(minimum: budgets.minimum, noSpill: budgets.noSpill)
    }
}
