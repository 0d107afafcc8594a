/// A stage schedule read off a covering solution (``StageCoverBound``):
/// the cover names the producers worth running again; this drops their
/// values over their longest idle stretch and lets ``LPRounding``'s
/// closure and repair make the schedule fit. A warm start for the search
/// (``CheckmateLNS``), not a bound.
extension StageCoverBound {
    /// Keep every value from the stage after its producer to its last use
    /// (the end for graph outputs), except that each value of a producer in
    /// `cover` is dropped between the two consecutive uses (its producer,
    /// then its readers) that lie furthest apart and remade in the later
    /// one's stage (LPRounding's closure); then repaired until it fits (nil when
    /// it cannot be). Time: O(values · n) for the keeps plus the repair's
    /// (``LPRounding/repaired(_:kept:)``).
    public static func plan(_ formulation: CheckmateFormulation, cover: [Int]) -> RematEvaluation? {
        let chosen = Set(cover)
        let kept = LPRounding.keptBetweenUses(formulation) { _, uses in
            guard chosen.contains(uses[0]) else { return [] }
            var dropped = 0 ..< 0  // stages whose start does not hold v
            for (a, b) in zip(uses, uses.dropFirst()) where b - a > dropped.count {
                dropped = (a + 1) ..< (b + 1)  // stages a+1 ... b start without v; stage b remakes it for its reader
            }
            return [dropped]
        }
        return LPRounding.repaired(formulation, kept: kept)
    }
}
