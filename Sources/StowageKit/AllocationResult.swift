/// Offsets for buffers with fixed lifetimes, checked by the allocation
/// validator before they were returned.
public struct AllocationResult: Sendable, Equatable {
    /// One offset per buffer, in the order the buffers were given.
    public var offsets: [Int]
    /// The arena the offsets need: max(offset + size), 0 without buffers.
    public var height: Int
    /// A proven lower bound on the height of any placement.
    public var lowerBound: Int
    /// Which method produced the offsets (`greedy-…`, `search`, `ilp-cbc`).
    public var method: String
    public var seconds: Double

    /// The height is proven minimal.
    public var isOptimal: Bool { height <= lowerBound }
    /// (height − lowerBound) / height; 0 when the height is 0.
    public var gap: Double { height > 0 ? Double(max(0, height - lowerBound)) / Double(height) : 0 }
}
