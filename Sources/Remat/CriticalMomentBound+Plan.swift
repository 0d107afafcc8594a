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
    /// (``LPRounding``'s closure; the last stage for the end); then repaired
    /// until it fits (nil when it cannot be). `resident` is per critical
    /// position as in `critical` (``Outcome/resident``). Time: O(m · values
    /// + values · n) for the keeps plus the repair's
    /// (``LPRounding/repaired(_:kept:)``).
    public static func plan(_ formulation: CheckmateFormulation, critical: [Int], resident: [Set<Int>]) -> RematEvaluation? {
        guard critical.count == resident.count else { return nil }
        let n = formulation.n
        let kept = LPRounding.keptBetweenUses(formulation) { v, uses in
            // The stretch (x, y] between consecutive uses with x < k < y (y = n for a graph output after its
            // last reader: it is remade at the end); none when k itself uses v.
            critical.enumerated().compactMap { a, k in
                guard k > uses[0], k < n, !resident[a].contains(v), let y = uses.first(where: { $0 >= k }), y > k,
                      let x = uses.last(where: { $0 < k }) else { return nil }
                return (x + 1) ..< (y + 1)
            }
        }
        return LPRounding.repaired(formulation, kept: kept)
    }
}
