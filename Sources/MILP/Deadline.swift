/// A point in wall-clock time after which long computations stop, read
/// from a monotonic clock.
///
/// A command's `--time-limit` becomes one `Deadline` when the command
/// starts, before any file is read; every phase (import, each solve, each
/// search round, verification, output) asks it how much time is left, so
/// that the whole command, not each piece of it, stays within the limit.
/// Sub-budgets (``fraction(_:)``, ``capped(at:)``) never reach past it.
public struct Deadline: Sendable {
    public let start: ContinuousClock.Instant
    /// `nil`: no limit.
    public let end: ContinuousClock.Instant?

    /// A limit of `seconds` from now; `nil` means none. Negative or NaN
    /// limits are treated as already expired; limits beyond 10^9 s as none.
    public init(seconds: Double?) {
        let now = ContinuousClock.now
        start = now
        guard let seconds else {
            end = nil
            return
        }
        if !(seconds > 0) {
            end = now
        } else if seconds >= 1e9 {
            end = nil
        } else {
            end = now + .nanoseconds(Int64(seconds * 1e9))
        }
    }

    private init(start: ContinuousClock.Instant, end: ContinuousClock.Instant?) {
        self.start = start
        self.end = end
    }

    /// No limit.
    public static var none: Deadline { Deadline(seconds: nil) }

    public var isLimited: Bool { end != nil }

    public var expired: Bool { end.map { ContinuousClock.now >= $0 } ?? false }

    /// Seconds since the deadline was made.
    public var elapsed: Double { Self.seconds(ContinuousClock.now - start) }

    /// Seconds left (0 once expired), `nil` without a limit.
    public var remaining: Double? { end.map { max(0, Self.seconds($0 - ContinuousClock.now)) } }

    /// A deadline at most `seconds` from now and never after this one.
    public func capped(at seconds: Double) -> Deadline {
        let own = Deadline(seconds: seconds)
        guard let end else { return Deadline(start: ContinuousClock.now, end: own.end) }
        guard let ownEnd = own.end else { return Deadline(start: ContinuousClock.now, end: end) }
        return Deadline(start: ContinuousClock.now, end: min(end, ownEnd))
    }

    /// A deadline after `share` (0...1) of the time left; unlimited stays unlimited.
    public func fraction(_ share: Double) -> Deadline {
        guard let remaining else { return Deadline(start: ContinuousClock.now, end: nil) }
        return capped(at: remaining * min(max(share, 0), 1))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
