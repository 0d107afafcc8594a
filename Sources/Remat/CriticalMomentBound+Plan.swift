/// A stage schedule read off a solution of the critical-moment relaxation
/// (``CriticalMomentBound``): what it keeps at the critical stages (the
/// peaks) is the part the covering schedule (``StageCoverBound/plan(_:cover:)``)
/// has to guess. A warm start for the search (``CheckmateLNS``), not a bound.
extension CriticalMomentBound {
    /// Keep every value from the stage after its producer to its last use
    /// (the end for graph outputs), except that a value the solution does
    /// not hold at a critical moment (and that the critical operator does
    /// not touch) is dropped over the stretch between its two consecutive
    /// uses (its producer, then its readers, then the end for a graph
    /// output) around that moment and remade in the later one's stage
    /// (``LPRounding``'s closure; the last stage for the end). A graph
    /// output remade at the end needs its producer's inputs there: those
    /// the solution holds at the last critical moment are held from their
    /// last use to the end (the relaxation remade the output from them in
    /// its last gap). Then repaired until it fits (nil when it cannot be).
    /// `resident` is per critical position as in `critical`
    /// (``Outcome/resident``).
    ///
    /// Graph outputs that nothing reads are what this is for: VGG-16's
    /// first linear layer's weight gradient (411 MB) is written at position
    /// 54 of 88; held to the end it stands in every later peak, and at
    /// 1,787,929,594 B the repair then dropped relu_1 instead, whose
    /// remake runs a 6,076-cost convolution.
    ///
    /// Time: O(m · values + values · n) for the keeps plus the repair's
    /// (``LPRounding/repaired(_:kept:)``).
    public static func plan(_ formulation: CheckmateFormulation, critical: [Int], resident: [Set<Int>]) -> RematEvaluation? {
        guard let kept = keptSets(formulation, critical: critical, resident: resident) else { return nil }
        return LPRounding.repaired(formulation, kept: kept)
    }

    /// The kept sets of ``plan(_:critical:resident:)`` before its repair (see there); nil when
    /// `resident` does not match `critical`.
    static func keptSets(_ formulation: CheckmateFormulation, critical: [Int], resident: [Set<Int>]) -> [Set<Int>]? {
        guard critical.count == resident.count else { return nil }
        let last = resident.last ?? []
        let n = formulation.n
        let problem = formulation.problem
        var kept = LPRounding.keptBetweenUses(formulation, endIsUse: true) { v, uses in
            // A value of no bytes frees nothing when dropped, and dropping one could only add recomputations.
            guard problem.bytes[v] > 0 else { return [] }
            // The stretch (x, y] between consecutive uses with x < k < y (y = n for a graph output after its
            // last reader); none when k itself uses v.
            return critical.enumerated().compactMap { a, k in
                guard k > uses[0], k < n, !resident[a].contains(v), let y = uses.first(where: { $0 >= k }), y > k,
                      let x = uses.last(where: { $0 < k }) else { return nil }
                return (x + 1) ..< (y + 1)
            }
        }
        for v in problem.bytes.indices where problem.isGraphOutput[v] {
            guard let p = formulation.producerPosition[v], p < n - 1, kept[n].contains(v), !kept[n - 1].contains(v) else { continue }
            for u in formulation.readsAt[p] where last.contains(u) {
                guard let q = formulation.producerPosition[u] else { continue }
                let lastUse = formulation.readerPositions[u].max() ?? q
                for t in (lastUse + 1) ..< n { kept[t].insert(u) }
            }
        }
        return kept
    }
}
