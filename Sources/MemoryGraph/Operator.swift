/// One operator (ONNX node) of the graph. Tensors are referred to by their
/// index in `Graph.tensors`.
public struct Operator: Hashable, Sendable {
    /// The node name; unique names are not required by ONNX, so tools name
    /// operators by their index when a name is empty or repeated.
    public var name: String
    /// The operator type, e.g. `Conv` (domain-qualified for custom domains:
    /// `com.microsoft.FusedMatMul`).
    public var type: String
    /// Tensors read, in argument order; a tensor may appear twice
    /// (`Mul(x, x)`). Absent optional inputs are left out.
    public var inputs: [Int]
    /// Tensors written.
    public var outputs: [Int]
    /// Tensors of the enclosing graph that the operator's subgraphs (the
    /// branches of `If`, the body of `Loop` or `Scan`) read: they must stay
    /// live until the operator has run even though they are not inputs.
    public var capturedInputs: [Int]
    /// What one execution costs (seconds, FLOPs, any one unit for the whole
    /// graph), for planners that may run an operator again
    /// (rematerialisation); `nil` when the graph does not say. Finite and
    /// not negative when given.
    public var cost: Double?
    /// Whether the operator belongs to the forward or the backward pass of a
    /// training graph; `nil` when the graph does not say.
    public var phase: Phase?

    /// The pass of a training graph an operator belongs to.
    public enum Phase: String, Hashable, Sendable, Codable, CaseIterable {
        case forward
        case backward
    }

    public init(name: String, type: String, inputs: [Int], outputs: [Int], capturedInputs: [Int] = [],
                cost: Double? = nil, phase: Phase? = nil) {
        self.name = name
        self.type = type
        self.inputs = inputs
        self.outputs = outputs
        self.capturedInputs = capturedInputs
        self.cost = cost
        self.phase = phase
    }

    /// The cost of one execution as rematerialisation counts it: ``cost``,
    /// or 1 when the graph gives none (every operator then costs the same).
    public var executionCost: Double { cost ?? 1 }

    /// Every tensor the operator reads: inputs then captured inputs.
    public var reads: [Int] { capturedInputs.isEmpty ? inputs : inputs + capturedInputs }
}
