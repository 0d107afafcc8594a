import Plan

/// The outcome of replaying a plan: the first failure (if any), the figures
/// the replay measured, and how the replay was done.
public struct VerificationReport: Sendable, Equatable {
    /// The first violation in execution order; `nil` when the plan verified.
    public var failure: VerificationFailure?
    /// What the replay measured. When the plan failed, the figures cover
    /// the replay up to the failure only. `objective`, `bound` and
    /// `solverStatus` are copied from the claim: nothing can measure them.
    public var metrics: PlanMetrics
    /// The mode asked for.
    public var requestedMode: VerificationMode
    /// The mode the replay used: `.symbolic` when real memory was asked for
    /// but the arenas would exceed the limit (see `note`).
    public var mode: VerificationMode
    /// Why the replay used another mode than the one asked for.
    public var note: String?
    /// Steps replayed to the end (all of them when the plan verified; the
    /// failing step is not counted).
    public var stepsReplayed: Int

    public var passed: Bool { failure == nil }

    public init(failure: VerificationFailure?, metrics: PlanMetrics, requestedMode: VerificationMode,
                mode: VerificationMode, note: String? = nil, stepsReplayed: Int) {
        self.failure = failure
        self.metrics = metrics
        self.requestedMode = requestedMode
        self.mode = mode
        self.note = note
        self.stepsReplayed = stepsReplayed
    }
}
