/// Why the facade returned no plan. Every case says what was wrong in one
/// line (``description``); bad input also says where.
///
/// The cases follow the CLI's exit codes: ``badInput(source:location:reason:)``
/// is the caller's to fix (exit 2); the others mean the request was well
/// formed but has no usable answer (exit 1).
public enum StowageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The graph, buffer list or options cannot be used as given.
    /// - `source`: the file path, or what the bytes were (`graph JSON`,
    ///   `options`, `graph builder`).
    /// - `location`: where in it (`line 12: tensor 'x'`, `key 'capacity'`,
    ///   `buffers[3].size`), `nil` when the whole input is at fault.
    case badInput(source: String, location: String?, reason: String)
    /// No plan exists at this capacity: an operator alone needs more, the
    /// residencies never fit the addresses, or (allocation) a proof that
    /// the buffers cannot fit.
    case infeasible(capacity: Int, reason: String)
    /// A planner produced a plan the independent checker rejects: a bug in
    /// Stowage, never the caller's fault. The plan is not returned.
    case verificationFailed(method: String, reason: String)
    /// The solver or the offset allocator stopped without a usable answer
    /// (a solver error, a time limit reached before any fit was found, an
    /// allocator that could not place the residencies).
    case solverFailure(reason: String)

    public var description: String {
        switch self {
        case .badInput(let source, let location, let reason):
            return location.map { "\(source): \($0): \(reason)" } ?? "\(source): \(reason)"
        case .infeasible(let capacity, let reason):
            return "infeasible at \(capacity) bytes: \(reason)"
        case .verificationFailed(let method, let reason):
            return "internal error: the \(method) plan failed verification: \(reason)"
        case .solverFailure(let reason):
            return "no answer: \(reason)"
        }
    }

    /// Whether the caller's input is at fault (the CLI's exit code 2).
    public var isBadInput: Bool {
        if case .badInput = self { return true }
        return false
    }
}
