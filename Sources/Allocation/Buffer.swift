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

    /// The bound on every number of a buffer, exclusive: 2^62. Sizes,
    /// offsets and alignments below it, times within ±2^62, so that sums
    /// and differences of two of them never overflow 64 bits (the same
    /// limit as the byte-size grammar of the Units module).
    public static let limit = 1 << 62

    /// Why this buffer cannot be part of a problem, or nil when it can:
    /// a number beyond ``limit``, an empty or reversed lifetime, a negative
    /// size, a non-positive alignment, a negative or misaligned fixed
    /// offset.
    public var defect: String? {
        let limit = Self.limit
        if lower <= -limit || lower >= limit { return "lower \(lower) is beyond ±2^62" }
        if upper <= -limit || upper >= limit { return "upper \(upper) is beyond ±2^62" }
        if upper <= lower { return "lifetime [\(lower), \(upper)) is empty: upper must be greater than lower" }
        if size < 0 { return "size \(size) is negative" }
        if size >= limit { return "size \(size) is beyond the largest size accepted (2^62 bytes)" }
        if alignment <= 0 { return "alignment \(alignment) must be positive" }
        if alignment >= limit { return "alignment \(alignment) is beyond the largest alignment accepted (2^62)" }
        if let fixedOffset {
            if fixedOffset < 0 { return "offset \(fixedOffset) is negative" }
            if fixedOffset >= limit { return "offset \(fixedOffset) is beyond the largest offset accepted (2^62)" }
            if fixedOffset % alignment != 0 { return "offset \(fixedOffset) is not a multiple of alignment \(alignment)" }
        }
        return nil
    }
}
