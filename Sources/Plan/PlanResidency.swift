/// One stay of a tensor in a tier: the per-tensor residency table a plan
/// carries beside its actions (``Plan/residencies``), so that a code
/// generator learns where each tensor lives when without replaying the
/// actions.
///
/// Steps are operator steps, both ends included: the tensor occupies the
/// tier (at ``offset`` in an addressed tier) while the operators of steps
/// `firstStep...lastStep` run. An allocation before step `s`'s operator
/// starts a stay at `s`, one after it at `s + 1`; a free after step `s`'s
/// operator ends it at `s`, one before it at `s − 1`; a stay never freed
/// ends at the last step. In the home tier a stay is where the tensor is
/// valid: graph inputs and weights from step 0, other tensors from the copy
/// that brings them there. Stays that cover no operator (say, an output
/// stored home after the last step) are not listed; `stored` on the stay it
/// came from says it left.
///
/// In JSON, keyed objects sorted by tensor, then first step, then tier:
/// `{"tensor": 3, "tier": "scratchpad", "offset": 4096, "firstStep": 2,
/// "lastStep": 7, "loaded": true, "stored": false}`.
public struct PlanResidency: Sendable, Codable, Equatable, Comparable {
    /// Index into the graph's tensors (and the plan's tensor table).
    public var tensor: Int
    public var tier: String
    /// The byte offset in an addressed tier; `nil` elsewhere.
    public var offset: Int?
    public var firstStep: Int
    public var lastStep: Int
    /// The stay's data arrived by a copy from another tier (rather than
    /// being produced here by an operator, or being a graph input or weight
    /// in the home tier).
    public var loaded: Bool
    /// The tensor was copied from this tier to the home tier during the
    /// stay (a spill, or a graph output stored); always false in the home
    /// tier itself.
    public var stored: Bool

    public init(tensor: Int, tier: String, offset: Int?, firstStep: Int, lastStep: Int, loaded: Bool, stored: Bool) {
        self.tensor = tensor
        self.tier = tier
        self.offset = offset
        self.firstStep = firstStep
        self.lastStep = lastStep
        self.loaded = loaded
        self.stored = stored
    }

    public static func < (a: PlanResidency, b: PlanResidency) -> Bool {
        (a.tensor, a.firstStep, a.tier, a.lastStep) < (b.tensor, b.firstStep, b.tier, b.lastStep)
    }

    enum CodingKeys: String, CodingKey {
        case tensor, tier, offset, firstStep, lastStep, loaded, stored
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tensor, forKey: .tensor)
        try c.encode(tier, forKey: .tier)
        try c.encode(offset, forKey: .offset)
        try c.encode(firstStep, forKey: .firstStep)
        try c.encode(lastStep, forKey: .lastStep)
        try c.encode(loaded, forKey: .loaded)
        try c.encode(stored, forKey: .stored)
    }
}

extension PlanResidency {
    /// The residency table of a plan's actions, as ``PlanResidency``
    /// defines it; what planners attach to their plans. Actions that make
    /// no sense (unknown tiers, a free without an allocation) are skipped:
    /// judging them is the verifier's job, and it derives the table again
    /// on its own from its replay. O(actions + tensors · log).
    public static func table(steps: [PlanStep], tensors: [PlanTensor], tiers: [Tier], homeTier: String) -> [PlanResidency] {
        struct Open {
            var first: Int
            var offset: Int?
            var loaded: Bool
            var stored = false
        }
        var open: [String: [Int: Open]] = [:]
        var table: [PlanResidency] = []
        let last = steps.count - 1
        func close(_ tensor: Int, _ tier: String, lastStep: Int) {
            guard let stay = open[tier]?.removeValue(forKey: tensor) else { return }
            if stay.first <= lastStep {
                table.append(PlanResidency(tensor: tensor, tier: tier, offset: stay.offset, firstStep: stay.first,
                                           lastStep: lastStep, loaded: stay.loaded, stored: stay.stored))
            }
        }
        for (t, tensor) in tensors.enumerated() where tensor.kind != .activation {
            open[homeTier, default: [:]][t] = Open(first: 0, offset: nil, loaded: false)
        }
        let addressed = Set(tiers.filter(\.addressed).map(\.name))
        for (s, step) in steps.enumerated() {
            for (phase, actions) in [(0, step.before), (1, step.after)] {
                // Before the operator a change takes effect at s; after it, at s + 1.
                let starts = s + phase
                let ends = s - 1 + phase
                for action in actions {
                    let t = action.tensor
                    switch action.kind {
                    case .allocate where action.tier != homeTier:
                        close(t, action.tier, lastStep: ends)
                        open[action.tier, default: [:]][t] = Open(first: starts, offset: addressed.contains(action.tier) ? action.offset : nil,
                                                                  loaded: false)
                    case .allocate:
                        // Space reserved in the home tier holds no valid data yet.
                        close(t, homeTier, lastStep: ends)
                    case .copy:
                        if let from = action.from, action.tier == homeTier, from != homeTier { open[from]?[t]?.stored = true }
                        if action.tier == homeTier {
                            close(t, homeTier, lastStep: ends)
                            open[homeTier, default: [:]][t] = Open(first: starts, offset: nil, loaded: true)
                        } else {
                            open[action.tier]?[t]?.loaded = true
                        }
                    case .free:
                        close(t, action.tier, lastStep: ends)
                    }
                }
            }
        }
        for (tier, stays) in open {
            for t in stays.keys { close(t, tier, lastStep: last) }
        }
        return table.sorted()
    }
}
