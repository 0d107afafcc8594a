/// How the verifier replays a plan.
public enum VerificationMode: Sendable, Equatable, CustomStringConvertible {
    /// Interval bookkeeping only: who owns which address range of each
    /// addressed tier. Never allocates memory proportional to a tier's size,
    /// so arenas of hundreds of gigabytes cost nothing more than small ones.
    case symbolic
    /// Symbolic bookkeeping plus a real byte arena per addressed tier, used
    /// when the arenas together need at most `limitBytes`. Operators write
    /// deterministic patterns derived from what they read, and every read is
    /// checked against what was last written, so an overwrite is caught even
    /// if the interval bookkeeping had a bug. Above the limit the verifier
    /// falls back to `.symbolic` and says so in the report.
    case realMemory(limitBytes: Int = 1 << 30)

    /// `symbolic` or `real-memory`, as the CLI prints it.
    public var description: String {
        switch self {
        case .symbolic: "symbolic"
        case .realMemory: "real-memory"
        }
    }
}
