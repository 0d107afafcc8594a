/// The steps during which an activation occupies memory: from `first`
/// through `last`, both inclusive. `upper` is the half-open end used by
/// buffer tables, `[first, last + 1)`.
public struct Lifetime: Hashable, Sendable, Codable {
    public var first: Int
    public var last: Int

    public init(first: Int, last: Int) {
        self.first = first
        self.last = max(first, last)
    }

    /// One past the last step.
    public var upper: Int { last + 1 }

    public func contains(step: Int) -> Bool { first <= step && step <= last }
}
