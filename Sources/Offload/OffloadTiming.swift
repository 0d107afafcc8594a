import MILP

/// Hooks for the offload benchmark: one batch size's LP re-solved warm
/// across nb, the way the searches use it, and the same LPs built and
/// solved cold by GLPK.
public enum OffloadTiming {
    /// FlexGen's LP of one GPU batch size.
    public struct FlexGenSweep {
        let search: PolicySearch
        let gbs: Int
        var lp: PolicySearch.ShapeLP

        public init(_ search: PolicySearch, gbs: Int) {
            self.search = search
            self.gbs = gbs
            lp = PolicySearch.ShapeLP(search, gbs: gbs, reusing: nil)
        }

        /// Starts again from the slack basis.
        public mutating func reset() { lp = PolicySearch.ShapeLP(search, gbs: gbs, reusing: nil) }

        /// The LP's throughput at nb, re-solved from the previous basis.
        public mutating func solve(nb: Int) -> Double? {
            var failed = false
            return lp.throughput(nb: nb, failed: &failed)
        }

        public var pivots: Int { lp.simplex.pivots }
    }

    /// Exact mode's LP (continuous counts) of one GPU batch size.
    public struct PlacementSweep {
        let search: PlacementSearch
        let gbs: Int
        var lp: PlacementSearch.ShapeLP

        public init(_ search: PlacementSearch, gbs: Int) {
            self.search = search
            self.gbs = gbs
            lp = PlacementSearch.ShapeLP(search, chain: search.chain, gbs: gbs, reusing: nil)
        }

        public mutating func reset() { lp = PlacementSearch.ShapeLP(search, chain: search.chain, gbs: gbs, reusing: nil) }

        public mutating func solve(nb: Int) -> Double? { lp.throughput(nb: nb) }

        /// The same LP built from scratch and solved by GLPK.
        public func coldGLPK(nb: Int) -> Double? {
            let built = PlacementProgram(cost: search.costModel(gbs: gbs, nb: nb, chain: search.chain), integer: false,
                                         segments: search.segments).build()
            let result = GLPKSolver(cuts: false).solve(built.model)
            guard result.status == .optimal else { return nil }
            let seconds = zip(built.times, built.phaseWeights).reduce(0) { $0 + result.values[$1.0.index] * $1.1 }
            return Double(gbs * nb) * Double(search.workload.generatedTokens) / seconds
        }

        public var pivots: Int { lp.simplex.pivots }
        /// "m rows × n columns".
        public var size: String { "\(lp.one.rowLower.count) rows × \(lp.one.lower.count) columns" }
    }
}
