import Plan

/// What a plan keeps in its compute tier over time: every residency
/// interval and every copy into or out of the tier, found by replaying the
/// plan's actions once, O(actions + intervals log intervals).
///
/// The replay trusts nothing: an action that names an unknown tensor, an
/// allocation without an offset or with a negative one, a copy or free of a
/// tensor that holds no space is skipped and described in ``warnings``.
/// Zero-byte tensors are skipped silently: they occupy no address range.
/// Checking that a plan is *valid* is the verifier's job, not this one's.
public struct Residency: Sendable, Equatable {
    /// The compute tier the intervals live in.
    public var tier: Tier
    /// Sorted by start boundary, then offset.
    public var intervals: [ResidencyInterval]
    /// In plan order.
    public var transfers: [Transfer]
    /// The number of steps, which is also the last boundary.
    public var stepCount: Int
    /// The first ``Residency/warningLimit`` problems met, in plan order.
    public var warnings: [String]
    /// How many actions touching the compute tier were skipped in all.
    public var skippedActions: Int

    /// At most this many warnings are kept; ``skippedActions`` counts all.
    public static let warningLimit = 20

    public init(plan: Plan) throws(RenderError) {
        guard let tier = plan.tier(named: plan.computeTier) else {
            throw .missingComputeTier(plan.computeTier)
        }
        guard tier.addressed else { throw .computeTierNotAddressed(tier.name) }
        self.tier = tier
        stepCount = plan.steps.count
        intervals = []
        transfers = []
        warnings = []
        skippedActions = 0

        // Tensor index -> (offset, start boundary) of the space it holds now.
        var open: [Int: (offset: Int, start: Int)] = [:]
        // Space taken and released at the same boundary is never resident
        // while an operator runs: nothing to draw.
        func close(_ tensor: Int, _ space: (offset: Int, start: Int), bytes: Int, at end: Int) {
            guard end > space.start else { return }
            intervals.append(ResidencyInterval(tensor: tensor, offset: space.offset, bytes: bytes,
                                               start: space.start, end: end))
        }
        let compute = tier.name

        for (stepIndex, step) in plan.steps.enumerated() {
            for (boundary, actions) in [(stepIndex, step.before), (stepIndex + 1, step.after)] {
                for action in actions {
                    let touchesCompute = action.tier == compute || action.from == compute
                    guard touchesCompute else { continue }
                    func skip(_ reason: String) {
                        skippedActions += 1
                        if warnings.count < Self.warningLimit {
                            warnings.append("step \(stepIndex): \(action.kind.rawValue) of tensor \(action.tensor): \(reason)")
                        }
                    }
                    guard plan.tensors.indices.contains(action.tensor) else {
                        skip("no such tensor (the plan lists \(plan.tensors.count))")
                        continue
                    }
                    let bytes = plan.tensors[action.tensor].bytes
                    guard bytes > 0 else { continue }

                    switch action.kind {
                    case .allocate:
                        guard let offset = action.offset else { skip("no offset"); continue }
                        guard offset >= 0 else { skip("negative offset \(offset)"); continue }
                        guard !offset.addingReportingOverflow(bytes).overflow else {
                            skip("offset \(offset) out of range")
                            continue
                        }
                        if let previous = open[action.tensor] {
                            skip("allocated again without a free; the earlier space ends here")
                            close(action.tensor, previous, bytes: bytes, at: boundary)
                        }
                        open[action.tensor] = (offset, boundary)
                    case .free:
                        guard let current = open.removeValue(forKey: action.tensor) else {
                            skip("freed without an allocation")
                            continue
                        }
                        close(action.tensor, current, bytes: bytes, at: boundary)
                    case .copy:
                        guard let source = action.from else { skip("no source tier"); continue }
                        guard source != action.tier else { continue }
                        guard let current = open[action.tensor] else {
                            skip("copied \(source)->\(action.tier) without space in \(compute)")
                            continue
                        }
                        let inbound = action.tier == compute
                        transfers.append(Transfer(direction: inbound ? .load : .spill, tensor: action.tensor,
                                                  boundary: boundary, offset: current.offset, bytes: bytes,
                                                  peer: inbound ? source : action.tier))
                    }
                }
            }
        }
        for (tensor, current) in open {
            close(tensor, current, bytes: plan.tensors[tensor].bytes, at: stepCount)
        }
        intervals.sort { ($0.start, $0.offset, $0.tensor) < ($1.start, $1.offset, $1.tensor) }
    }

    /// The highest `offset + bytes` of any interval (0 for none).
    public var height: Int {
        intervals.map { interval in
            let (sum, overflow) = interval.offset.addingReportingOverflow(interval.bytes)
            return overflow ? Int.max : sum
        }.max() ?? 0
    }
}
