/// A copy into or out of the compute tier, placed where a picture marks it:
/// at a step boundary, over the address range the tensor occupies.
public struct Transfer: Sendable, Equatable {
    public enum Direction: Sendable, Equatable {
        /// Into the compute tier (from host memory, or any other tier).
        case load
        /// Out of the compute tier: a spill when the tensor comes back
        /// later, a store of a result otherwise. The picture does not tell
        /// them apart; the plan's metrics do.
        case spill
    }

    public var direction: Direction
    public var tensor: Int
    /// The step boundary at which the copy runs (see ``ResidencyInterval``).
    public var boundary: Int
    public var offset: Int
    public var bytes: Int
    /// The other tier of the copy.
    public var peer: String

    public init(direction: Direction, tensor: Int, boundary: Int, offset: Int, bytes: Int, peer: String) {
        self.direction = direction
        self.tensor = tensor
        self.boundary = boundary
        self.offset = offset
        self.bytes = bytes
        self.peer = peer
    }
}
