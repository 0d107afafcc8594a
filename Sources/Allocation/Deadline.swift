/// A point in time after which long computations stop, from a monotonic clock.
struct Deadline: Sendable {
    let start: ContinuousClock.Instant
    let end: ContinuousClock.Instant?

    init(seconds: Double?) {
        let now = ContinuousClock.now
        start = now
        end = seconds.map { now + .nanoseconds(Int64(min(max($0, 0), 1e9) * 1e9)) }
    }

    var expired: Bool { end.map { ContinuousClock.now >= $0 } ?? false }

    var elapsed: Double { Self.seconds(ContinuousClock.now - start) }

    /// Seconds left, nil without a limit.
    var remaining: Double? { end.map { max(0, Self.seconds($0 - ContinuousClock.now)) } }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
