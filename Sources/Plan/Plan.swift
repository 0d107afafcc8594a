import MemoryGraph

/// An executable placement plan: the one artefact every Stowage planner
/// emits and every consumer (runtime, verifier, renderer) reads.
///
/// ## Semantics
///
/// Memory is a set of named ``Tier``s. Operators run in the `computeTier`
/// (a scratchpad, a GPU); graph inputs and weights start valid in the
/// `homeTier` (host memory) without any action, and every graph output must
/// end valid there.
///
/// Steps run in order. Each step executes its `before` actions, then runs
/// its operator, then executes its `after` actions. Actions:
/// - `allocate(t, tier, offset)`: reserve `bytes(t)` in the tier (at
///   `offset` when the tier is addressed); the space holds no valid data yet.
/// - `copy(t, from, to)`: `t` must be valid in `from` and allocated in `to`
///   (the home tier needs no allocation); afterwards `t` is valid in `to`.
///   Its bytes count as traffic on the link `from->to`.
/// - `free(t, tier)`: release the space; `t` is no longer valid there.
///
/// When an operator runs, every tensor it reads must be valid in the
/// compute tier, and every tensor it writes allocated there; afterwards its
/// outputs are valid in the compute tier and nowhere else (an older copy of
/// a tensor is never reused). Allocated ranges in an addressed tier never
/// overlap, stay inside the capacity, and start at multiples of the tier's
/// alignment; in any tier the allocated bytes never exceed the capacity.
///
/// Traffic that is compulsory: one load of each input and weight an
/// operator reads, one store of each graph output. Everything else moved is
/// non-compulsory.
///
/// Beside the actions, ``residencies`` lists every stay of every tensor in
/// every tier (``PlanResidency``), derived from the actions when the plan
/// is made and checked against them by the verifier.
public struct Plan: Sendable, Codable, Equatable {
    /// The version of this format; readers reject versions they do not know.
    /// Version 2 added ``residencies``; version 1 plans are still read (their
    /// table is derived from the actions).
    public static let currentVersion = 2

    public var version: Int
    /// The planner that made the plan ("baseline-belady", "ilp", …).
    public var method: String
    /// The graph the plan was made for.
    public var graph: GraphIdentity
    /// The tensors the plan refers to, by graph tensor index, so that a plan
    /// can be read (rendered, summarised) without the graph.
    public var tensors: [PlanTensor]
    public var tiers: [Tier]
    public var homeTier: String
    public var computeTier: String
    public var steps: [PlanStep]
    /// What the planner claims; the verifier recomputes every figure.
    public var metrics: PlanMetrics
    /// Every stay of every tensor in every tier, sorted (``PlanResidency``).
    public var residencies: [PlanResidency]

    public init(method: String, graph: GraphIdentity, tensors: [PlanTensor], tiers: [Tier], homeTier: String,
                computeTier: String, steps: [PlanStep], metrics: PlanMetrics) {
        self.version = Self.currentVersion
        self.method = method
        self.graph = graph
        self.tensors = tensors
        self.tiers = tiers
        self.homeTier = homeTier
        self.computeTier = computeTier
        self.steps = steps
        self.metrics = metrics
        residencies = PlanResidency.table(steps: steps, tensors: tensors, tiers: tiers, homeTier: homeTier)
    }

    /// The residency table derived again from the actions, after the steps
    /// were changed in code.
    public mutating func deriveResidencies() {
        residencies = PlanResidency.table(steps: steps, tensors: tensors, tiers: tiers, homeTier: homeTier)
    }

    public func tier(named name: String) -> Tier? { tiers.first { $0.name == name } }
}

extension Plan {
    enum CodingKeys: String, CodingKey {
        case version, method, graph, tensors, tiers, homeTier, computeTier, steps, metrics, residencies
    }

    /// Reads versions 1 (no residency table: derived from the actions) and 2.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(Int.self, forKey: .version)
        method = try c.decode(String.self, forKey: .method)
        graph = try c.decode(GraphIdentity.self, forKey: .graph)
        tensors = try c.decode([PlanTensor].self, forKey: .tensors)
        tiers = try c.decode([Tier].self, forKey: .tiers)
        homeTier = try c.decode(String.self, forKey: .homeTier)
        computeTier = try c.decode(String.self, forKey: .computeTier)
        steps = try c.decode([PlanStep].self, forKey: .steps)
        metrics = try c.decode(PlanMetrics.self, forKey: .metrics)
        if version >= 2 {
            residencies = try c.decode([PlanResidency].self, forKey: .residencies)
        } else {
            residencies = PlanResidency.table(steps: steps, tensors: tensors, tiers: tiers, homeTier: homeTier)
        }
    }
}

/// Which graph a plan belongs to: its name, size, and a fingerprint of its
/// structure, so a plan is never replayed against another model.
public struct GraphIdentity: Sendable, Codable, Equatable {
    public var name: String
    public var operators: Int
    public var tensors: Int
    /// ``GraphFingerprint`` of the graph, as 16 hex digits.
    public var fingerprint: String

    public init(_ graph: Graph) {
        name = graph.name
        operators = graph.operators.count
        tensors = graph.tensors.count
        fingerprint = GraphFingerprint(graph).hex
    }
}

/// What a plan records of a tensor. In JSON: `[name, bytes, kind]`.
public struct PlanTensor: Sendable, Codable, Equatable {
    public var name: String
    public var bytes: Int
    public var kind: TensorKind

    public init(name: String, bytes: Int, kind: TensorKind) {
        self.name = name
        self.bytes = bytes
        self.kind = kind
    }

    /// The graph's tensors, unknown sizes as 0.
    public static func table(for graph: Graph) -> [PlanTensor] {
        graph.tensors.map { PlanTensor(name: $0.name, bytes: $0.bytes ?? 0, kind: $0.kind) }
    }
}

extension PlanTensor {
    public init(from decoder: Decoder) throws {
        var fields = try decoder.unkeyedContainer()
        name = try fields.decode(String.self)
        bytes = try fields.decode(Int.self)
        kind = try fields.decode(TensorKind.self)
        guard fields.isAtEnd else { throw DecodingError.dataCorruptedError(in: fields, debugDescription: "extra fields in a tensor") }
    }

    public func encode(to encoder: Encoder) throws {
        var fields = encoder.unkeyedContainer()
        try fields.encode(name)
        try fields.encode(bytes)
        try fields.encode(kind)
    }
}
