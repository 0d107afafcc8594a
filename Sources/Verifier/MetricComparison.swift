import Plan

/// One figure a plan claims that the replay measured otherwise.
struct MetricDifference: Equatable {
    /// `peakBytes[scratchpad]`, `bytesMoved[host->scratchpad]`, `compulsoryBytes`, …
    var metric: String
    var claimed: Int
    var measured: Int
}

extension PlanMetrics {
    /// The first figure of `self` (a claim) that differs from `measured`:
    /// peak bytes, heights and bytes moved (keys in sorted order), then
    /// compulsory and non-compulsory bytes.
    ///
    /// Dictionaries compare key by key, a key absent on one side counting as
    /// 0 there: a claim may leave out tiers and links that hold or carry
    /// nothing, and a claim of 0 for anything is harmless, but a non-zero
    /// figure for a tier or link that does not exist (or, for heights, a tier
    /// that is not addressed) differs from the measured 0. The solver's
    /// objective, bound and status cannot be measured and are not compared.
    /// O(keys · log keys).
    func firstDifference(from measured: PlanMetrics) -> MetricDifference? {
        func compare(_ name: String, _ claimed: [String: Int], _ actual: [String: Int]) -> MetricDifference? {
            for key in Set(claimed.keys).union(actual.keys).sorted() {
                let c = claimed[key] ?? 0, m = actual[key] ?? 0
                if c != m { return MetricDifference(metric: "\(name)[\(key)]", claimed: c, measured: m) }
            }
            return nil
        }
        if let d = compare("peakBytes", peakBytes, measured.peakBytes) { return d }
        if let d = compare("heights", heights, measured.heights) { return d }
        if let d = compare("bytesMoved", bytesMoved, measured.bytesMoved) { return d }
        if compulsoryBytes != measured.compulsoryBytes {
            return MetricDifference(metric: "compulsoryBytes", claimed: compulsoryBytes, measured: measured.compulsoryBytes)
        }
        if nonCompulsoryBytes != measured.nonCompulsoryBytes {
            return MetricDifference(metric: "nonCompulsoryBytes", claimed: nonCompulsoryBytes, measured: measured.nonCompulsoryBytes)
        }
        return nil
    }
}
