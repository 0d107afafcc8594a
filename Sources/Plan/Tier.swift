/// A named memory: a scratchpad or GPU memory (addressed: every tensor has
/// an offset), host memory or disk (sized, but a runtime's allocator places
/// things there).
public struct Tier: Sendable, Codable, Equatable {
    public var name: String
    /// Bytes; nil for unlimited.
    public var capacity: Int?
    /// Offsets in the tier are multiples of this.
    public var alignment: Int
    public var addressed: Bool

    public init(name: String, capacity: Int?, alignment: Int = 1, addressed: Bool) {
        self.name = name
        self.capacity = capacity
        self.alignment = alignment
        self.addressed = addressed
    }

    public static func scratchpad(capacity: Int, alignment: Int = 1) -> Tier {
        Tier(name: "scratchpad", capacity: capacity, alignment: alignment, addressed: true)
    }

    public static let host = Tier(name: "host", capacity: nil, addressed: false)
}
