/// One operator of the schedule with the actions that make it possible
/// (before) and that follow it (after). In JSON: `[op, [before…], [after…]]`.
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
///
/// In JSON an action is a short array, because plans of tens of thousands
/// of tensors hold hundreds of thousands of actions and keyed objects would
/// triple the file and its parsing time:
/// `["allocate", tensor, tier]`, `["allocate", tensor, tier, offset]`,
/// `["copy", tensor, from, to]`, `["free", tensor, tier]`.
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

extension PlanStep {
    public init(from decoder: Decoder) throws {
        var fields = try decoder.unkeyedContainer()
        op = try fields.decode(Int.self)
        before = try fields.decode([PlanAction].self)
        after = try fields.decode([PlanAction].self)
        guard fields.isAtEnd else { throw DecodingError.dataCorruptedError(in: fields, debugDescription: "extra fields in a step") }
    }

    public func encode(to encoder: Encoder) throws {
        var fields = encoder.unkeyedContainer()
        try fields.encode(op)
        try fields.encode(before)
        try fields.encode(after)
    }
}

extension PlanAction {
    public init(from decoder: Decoder) throws {
        var fields = try decoder.unkeyedContainer()
        let kindName = try fields.decode(String.self)
        guard let kind = Kind(rawValue: kindName) else {
            throw DecodingError.dataCorruptedError(in: fields, debugDescription: "unknown action \(kindName)")
        }
        self.kind = kind
        tensor = try fields.decode(Int.self)
        switch kind {
        case .allocate:
            tier = try fields.decode(String.self)
            from = nil
            offset = fields.isAtEnd ? nil : try fields.decode(Int.self)
        case .copy:
            from = try fields.decode(String.self)
            tier = try fields.decode(String.self)
            offset = nil
        case .free:
            tier = try fields.decode(String.self)
            from = nil
            offset = nil
        }
        guard fields.isAtEnd else {
            throw DecodingError.dataCorruptedError(in: fields, debugDescription: "extra fields in a \(kindName) action")
        }
    }

    /// Fields that the action's kind does not use (an offset on a copy, say)
    /// are not written; the verifier rejects such actions built in code.
    public func encode(to encoder: Encoder) throws {
        var fields = encoder.unkeyedContainer()
        try fields.encode(kind.rawValue)
        try fields.encode(tensor)
        switch kind {
        case .allocate:
            try fields.encode(tier)
            if let offset { try fields.encode(offset) }
        case .copy:
            try fields.encode(from ?? "")
            try fields.encode(tier)
        case .free:
            try fields.encode(tier)
        }
    }
}
