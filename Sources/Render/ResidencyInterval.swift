/// A stretch of time during which one tensor occupies one address range of
/// the compute tier: from the allocation to the free (or the end of the
/// plan). A tensor that is spilled and reloaded has several intervals,
/// possibly at different offsets.
///
/// Time is measured in step boundaries: boundary `i` is where step `i`'s
/// `before` actions run, and also just after step `i - 1`'s `after`
/// actions. An interval covering boundaries `start..<end` is resident while
/// steps `start ... end - 1` run.
public struct ResidencyInterval: Sendable, Equatable {
    /// Index into the plan's tensor table.
    public var tensor: Int
    /// First byte in the compute tier.
    public var offset: Int
    public var bytes: Int
    /// The boundary at which the space was allocated.
    public var start: Int
    /// The boundary at which it was freed, or the number of steps when the
    /// plan never frees it.
    public var end: Int

    public init(tensor: Int, offset: Int, bytes: Int, start: Int, end: Int) {
        self.tensor = tensor
        self.offset = offset
        self.bytes = bytes
        self.start = start
        self.end = end
    }

    /// The first step that runs while the tensor is resident.
    public var firstStep: Int { start }
    /// The last step that runs while the tensor is resident; below
    /// `firstStep` when the space was freed at the boundary it was taken.
    public var lastStep: Int { end - 1 }
}
