/// One operator of the schedule with the actions that make it possible
/// (before) and that follow it (after).
public struct PlanStep: Sendable, Codable, Equatable {
    /// Index into the graph's operators.
    public var op: Int
    public var before: [PlanAction]
    public var after: [PlanAction]

    public init(op: Int, before: [PlanAction] = [], after: [PlanAction] = []) {
        self.op = op
        self.before = before
        self.after = after
    }
}

/// One memory action; see ``Plan`` for what each does.
public struct PlanAction: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case allocate
        case copy
        case free
    }

    public var kind: Kind
    /// Index into the graph's tensors (and the plan's tensor table).
    public var tensor: Int
    /// The tier allocated in or freed from; for a copy, the destination.
    public var tier: String
    /// For a copy: the source tier.
    public var from: String?
    /// For an allocation in an addressed tier: the byte offset.
    public var offset: Int?

    public init(kind: Kind, tensor: Int, tier: String, from: String? = nil, offset: Int? = nil) {
        self.kind = kind
        self.tensor = tensor
        self.tier = tier
        self.from = from
        self.offset = offset
    }

    public static func allocate(_ tensor: Int, in tier: String, at offset: Int? = nil) -> PlanAction {
        PlanAction(kind: .allocate, tensor: tensor, tier: tier, offset: offset)
    }

    public static func copy(_ tensor: Int, from source: String, to destination: String) -> PlanAction {
        PlanAction(kind: .copy, tensor: tensor, tier: destination, from: source)
    }

    public static func free(_ tensor: Int, in tier: String) -> PlanAction {
        PlanAction(kind: .free, tensor: tensor, tier: tier)
    }
}
