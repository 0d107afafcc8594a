/// One stretch during which a tensor occupies the scratchpad: allocated
/// before step `first`, freed after step `last` (so `[first, last + 1)` in
/// the half-open lifetimes the offset allocator uses). It keeps one address
/// for the whole stretch.
public struct Residency: Sendable, Equatable {
    public var tensor: Int
    public var first: Int
    public var last: Int
    /// Whether the stretch begins by loading the tensor from host memory
    /// (rather than by its producer writing it).
    public var loaded: Bool
}

/// A data movement decided by replacement, placed in a step's action list.
enum PendingAction: Equatable {
    /// Copy to host memory (a spill, or the store of a graph output).
    case store(tensor: Int)
    case free(residency: Int)
    case allocate(residency: Int)
    /// Copy from host memory into the freshly allocated stretch.
    case load(residency: Int)
}
