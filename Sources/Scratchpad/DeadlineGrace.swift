import MILP

extension Deadline {
    /// Seconds past the end (0 before it, or without a limit).
    var overrun: Double {
        guard let end, ContinuousClock.now > end else { return 0 }
        return Self.inSeconds(ContinuousClock.now - end)
    }

    /// How long cheap work that is needed for any answer at all (greedy
    /// repair after the time is up) may go on past the end: 5 % of the
    /// limit, at least 1 s (a command may overrun by max(2 s, 10 %)).
    var grace: Double {
        guard let end else { return .infinity }
        return max(1, 0.05 * Self.inSeconds(end - start))
    }

    private static func inSeconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
