/// One buffer of a fixed-lifetime allocation problem: alive during the
/// half-open interval of steps `[lower, upper)`, `size` bytes, placed at a
/// multiple of `alignment`, optionally pinned at `fixedOffset`.
public struct Buffer: Sendable, Equatable, Hashable, Codable {
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

    /// Two buffers conflict when their lifetimes intersect. Zero-sized
    /// buffers conflict too, but occupy no addresses, so they never overlap.
    public func conflicts(with other: Buffer) -> Bool {
        lower < other.upper && other.lower < upper
    }

    /// Why this buffer cannot be part of a problem, or nil when it can:
    /// an empty or reversed lifetime, a negative size, a non-positive
    /// alignment, a negative or misaligned fixed offset, or a fixed offset
    /// whose end overflows 64 bits.
    public var defect: String? {
        if upper <= lower { return "lifetime [\(lower), \(upper)) is empty: upper must be greater than lower" }
        if size < 0 { return "size \(size) is negative" }
        if alignment <= 0 { return "alignment \(alignment) must be positive" }
        if let fixedOffset {
            if fixedOffset < 0 { return "offset \(fixedOffset) is negative" }
            if fixedOffset % alignment != 0 { return "offset \(fixedOffset) is not a multiple of alignment \(alignment)" }
            if fixedOffset.addingReportingOverflow(size).overflow { return "offset \(fixedOffset) + size \(size) overflows 64 bits" }
        }
        return nil
    }
}
