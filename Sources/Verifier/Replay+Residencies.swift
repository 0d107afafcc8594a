import Plan

/// The residency table, derived from the replay and compared with the
/// plan's: a code generator reads the table instead of the actions, so a
/// table that says something else than the actions is as wrong as a bad
/// action. The derivation follows ``PlanResidency``'s definition, written
/// apart from the Plan module's own (which planners use), so that one
/// cannot hide a mistake of the other.
extension Replay {
    /// Where a change made by the current action takes effect: before an
    /// operator at its step, after it at the next.
    private var changeStep: Int { (step ?? 0) + phase }

    mutating func stayBegins(_ cell: Int, loaded: Bool) {
        stayEnds(cell)
        stayStart[cell] = changeStep
        stayLoaded[cell] = loaded
        stayStored[cell] = false
    }

    mutating func stayEnds(_ cell: Int, atEnd: Bool = false) {
        let first = stayStart[cell]
        guard first >= 0 else { return }
        stayStart[cell] = -1
        let last = atEnd ? plan.steps.count - 1 : changeStep - 1
        guard first <= last else { return }
        let tier = cell / width
        stays.append(PlanResidency(tensor: cell % width, tier: tiers[tier].name,
                                   offset: tiers[tier].addressed && tier != home ? offsets[cell] : nil,
                                   firstStep: first, lastStep: last, loaded: stayLoaded[cell], stored: stayStored[cell]))
    }

    /// After the last step: closes the open stays and compares. O(T·K +
    /// stays · log stays).
    mutating func checkResidencies() throws(VerificationFailure) {
        for cell in stayStart.indices where stayStart[cell] >= 0 { stayEnds(cell, atEnd: true) }
        let derived = stays.sorted()
        let claimed = plan.residencies
        for (i, stay) in derived.enumerated() {
            guard i < claimed.count else {
                throw fail(.residencyMismatch, tensors: [stay.tensor],
                           "the residency table misses the stay of '\(name(stay.tensor))' in '\(stay.tier)' over steps \(stay.firstStep)...\(stay.lastStep)")
            }
            if claimed[i] != stay {
                throw fail(.residencyMismatch, tensors: [stay.tensor],
                           "the residency table says \(describe(claimed[i])); the actions make \(describe(stay))")
            }
        }
        if claimed.count > derived.count {
            let extra = claimed[derived.count]
            throw fail(.residencyMismatch, tensors: extra.tensor >= 0 && extra.tensor < width ? [extra.tensor] : [],
                       "the residency table lists \(describe(extra)), which the actions never make")
        }
    }

    private func describe(_ stay: PlanResidency) -> String {
        let tensor = stay.tensor >= 0 && stay.tensor < width ? "'\(name(stay.tensor))'" : "tensor \(stay.tensor)"
        let offset = stay.offset.map { " at offset \($0)" } ?? ""
        return "\(tensor) in '\(stay.tier)'\(offset) over steps \(stay.firstStep)...\(stay.lastStep)"
            + (stay.loaded ? ", loaded" : "") + (stay.stored ? ", stored" : "")
    }
}
