/// One buffer of a fixed-lifetime allocation problem: alive during the
/// half-open interval of steps `[lower, upper)`, `size` bytes, placed at a
/// multiple of `alignment`, optionally pinned at `fixedOffset`.
public struct Buffer: Sendable, Equatable, Codable {
    public var id: String
    public var lower: Int
    public var upper: Int
    public var size: Int
    public var alignment: Int
    public var fixedOffset: Int?

    public init(id: String, lower: Int, upper: Int, size: Int, alignment: Int = 1, fixedOffset: Int? = nil) {
        self.id = id
        self.lower = lower
        self.upper = upper
        self.size = size
        self.alignment = alignment
        self.fixedOffset = fixedOffset
    }

    /// Two buffers conflict when their lifetimes intersect.
    public func conflicts(with other: Buffer) -> Bool {
        lower < other.upper && other.lower < upper
    }
}
