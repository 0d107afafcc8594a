/// The parts of the free-schedule ILP that make it solvable by CBC and GLPK,
/// each of which can be switched off to measure what it is worth
/// (`swift run -c release Benchmarks scratchpad`). The defaults are the ones
/// that paid off; the others exist for that measurement.
public struct FreeScheduleFormulation: Sendable, Equatable {
    /// Operators restricted to their ASAP/ALAP windows. Off: every operator
    /// may run at every step (n² schedule binaries).
    public var windows = true
    /// Residency only between production (or first use) and the last use.
    public var residencyBetweenUses = true
    /// One residency row per tensor and step summing over its users (valid
    /// because one operator runs per step) instead of one row per user.
    public var aggregatedNeeds = true
    /// Start the solver from the incumbent plan.
    public var warmStart = true

    public init() {}
}
