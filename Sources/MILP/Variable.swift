/// A decision variable of a ``Model``: a handle, cheap to copy, valid only for
/// the model that created it.
public struct Variable: Hashable, Sendable {
    /// Position of the variable in ``Model/variables`` (0-based).
    public let index: Int

    public init(index: Int) { self.index = index }
}

/// Whether a variable may take any real value in its bounds or only integers.
public enum VariableKind: String, Sendable, Codable {
    case continuous
    case integer
    /// An integer variable with bounds [0, 1].
    case binary
}

/// What the model stores about one variable.
public struct VariableInfo: Sendable, Equatable {
    public var name: String?
    public var lower: Double
    public var upper: Double
    public var kind: VariableKind

    public var isInteger: Bool { kind != .continuous }
}
