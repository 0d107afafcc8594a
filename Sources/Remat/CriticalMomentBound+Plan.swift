/// A stage schedule read off a solution of the critical-moment relaxation
/// (``CriticalMomentBound``): what it keeps at the critical stages (the
/// peaks) is the part the covering schedule (``StageCoverBound/plan(_:cover:)``)
/// has to guess. A warm start for the search (``CheckmateLNS``), not a bound.
extension CriticalMomentBound {
    /// Keep every value from the stage after its producer to its last use
    /// (the end for graph outputs), except that a value the solution does
    /// not hold at a critical moment (and that the critical operator does
    /// not touch) is dropped over the stretch between its two consecutive
    /// uses (its producer, then its readers) around that moment and remade
    /// in the later one's stage (``LPRounding``'s closure); then repaired
    /// until it fits (nil when it cannot be). `resident` is per critical
    /// position as in `critical` (``Outcome/resident``). Time: O(m · values
    /// + values · n) for the keeps plus the repair's
    /// (``LPRounding/repaired(_:kept:)``).
    public static func plan(_ formulation: CheckmateFormulation, critical: [Int], resident: [Set<Int>]) -> RematEvaluation? {
        guard critical.count == resident.count else { return nil }
        let problem = formulation.problem
        let n = formulation.n
        var kept = [Set<Int>](repeating: [], count: n + 1)
        for v in problem.bytes.indices {
            guard let p = formulation.producerPosition[v] else { continue }
            let readers = formulation.readerPositions[v].filter { $0 > p }.sorted()
            let output = problem.isGraphOutput[v]
            let last = output ? n : (readers.last ?? p)
            guard last > p else { continue }
            let uses = [p] + readers
            var dropped: [Range<Int>] = []  // stages whose start does not hold v
            for (a, k) in critical.enumerated() where k > p && k < n && !resident[a].contains(v) {
                // The stretch (x, y] between consecutive uses with x < k < y; none when k itself uses v.
                guard let y = uses.first(where: { $0 >= k }), y > k, let x = uses.last(where: { $0 < k }) else { continue }
                dropped.append((x + 1) ..< (y + 1))
            }
            for t in (p + 1) ... last where !dropped.contains(where: { $0.contains(t) }) { kept[t].insert(v) }
        }
        return LPRounding.repaired(formulation, kept: kept)
    }
}
