/// Where a tensor's bytes come from, which decides who must place it.
public enum TensorKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// A graph input fed by the caller (not a weight): an activation live
    /// from the first step.
    case input
    /// A weight (ONNX initializer): constant, resident or streamed, never
    /// produced by an operator.
    case weight
    /// An operator's output: live from its producer to its last consumer.
    case activation

    /// Inputs and operator outputs share the activation memory; weights do not.
    public var isActivation: Bool { self != .weight }
}
