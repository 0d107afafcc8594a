import MILP

/// FlexGen's policy search: over GPU batch sizes 1, 2, 3, 4, 8, 16, …, find
/// the largest number of GPU batches that still fits, then sweep the number
/// of batches upwards until throughput drops, keeping the best policy seen.
///
/// Each batch size costs O(log nb_max) LPs to bound nb and at most nb_max
/// to sweep (in practice a handful: the sweep stops at the first drop).
public struct PolicySearch: Sendable {
    public var shape: TransformerShape
    public var hardware: HardwareProfile
    public var workload: OffloadWorkload
    /// Byte and FLOP counts per layer: FlexGen's OPT formulas unless set
    /// (exact mode sets ``LayerSizes/exact(_:weights:cache:)``).
    public var sizes: LayerSizes
    /// The backend for the LPs: GLPK by default. ``DenseSimplexSolver``
    /// (with per-gbs LP templates) gives the same answers (tested) but was
    /// not faster in release on the offload LPs (Benchmarks offload).
    public var solver: any Solver = GLPKSolver(cuts: false)
    /// Never try more GPU batches per block than this.
    public var maximumBatches = 1 << 14
    /// Never try a GPU batch larger than this.
    public var maximumBatchSize = 1 << 14

    public init(shape: TransformerShape, hardware: HardwareProfile, workload: OffloadWorkload) {
        self.shape = shape
        self.hardware = hardware
        self.workload = workload
        self.sizes = .flexGen(shape, compressWeights: workload.compressWeights)
    }

    func costModel(gbs: Int, nb: Int) -> FlexGenCostModel {
        FlexGenCostModel(shape: shape, hardware: hardware, workload: workload, gbs: gbs, nb: nb, sizes: sizes)
    }

    /// One solved batch shape and its LP throughput.
    public struct ShapeThroughput: Sendable, Equatable {
        public var gbs: Int
        public var nb: Int
        public var throughput: Double
    }

    public struct Outcome: Sendable {
        /// The best policy, nil when nothing fits.
        public var best: OffloadEstimate?
        /// LPs solved.
        public var lpSolves: Int
        /// Every feasible shape the search solved, in the order solved.
        public var evaluated: [ShapeThroughput] = []
    }

    /// The batch sizes FlexGen tries: 1, 2, 3, 4, then doubling.
    public static func batchSizes(upTo limit: Int) -> [Int] {
        var sizes = [1, 2, 3, 4].filter { $0 <= limit }
        var next = 8
        while next <= limit {
            sizes.append(next)
            next *= 2
        }
        return sizes
    }

    /// The LPs of one GPU batch size for any nb: the LP's data are affine
    /// in bls, so the models built at nb = 1 and nb = 2 give every other by
    /// interpolation, without rebuilding expressions (the objective, l/bls
    /// and l·(n−1)/bls on Tpre and Tgen, is set directly).
    struct LPTemplate {
        let one: DenseLP, two: DenseLP
        let prefill: Int, decode: Int

        init(_ search: PolicySearch, gbs: Int) {
            let a = FlexGenLP(cost: search.costModel(gbs: gbs, nb: 1), pinned: nil).build()
            let b = FlexGenLP(cost: search.costModel(gbs: gbs, nb: 2), pinned: nil).build()
            one = DenseLP(a.model)
            two = DenseLP(b.model)
            prefill = a.prefill.index
            decode = a.decode.index
        }

        /// Throughput at `nb` from the LP's optimal Tpre and Tgen, nil when infeasible.
        func throughput(nb: Int, gbs: Int, layers l: Double, tokens n: Double) -> Double? {
            var lp = DenseLP.interpolate(one, two, t: Double(nb - 1))
            let bls = Double(gbs * nb)
            lp.objective = [Double](repeating: 0, count: lp.objective.count)
            lp.objective[prefill] = l / bls
            lp.objective[decode] = l * (n - 1) / bls
            guard let values = DenseSimplex.solve(lp) else { return nil }
            return bls * n / (l * values[prefill] + l * (n - 1) * values[decode])
        }
    }

    /// Runs the search with FlexGen's capacities (α from the workload).
    /// With the dense simplex (the default) each LP is interpolated from a
    /// per-gbs template; the best shape's policy is then solved again from
    /// a freshly built model and re-evaluated from its fractions, so the
    /// reported figures never rest on the interpolation.
    public func run() -> Outcome {
        var solves = 0
        var best: ShapeThroughput?
        var evaluated: [ShapeThroughput] = []
        let fast = solver is DenseSimplexSolver
        var template: LPTemplate?
        let l = Double(shape.layers), n = Double(workload.generatedTokens)
        func evaluate(_ gbs: Int, _ nb: Int) -> ShapeThroughput? {
            solves += 1
            let throughput: Double?
            if fast, let template {
                throughput = template.throughput(nb: nb, gbs: gbs, layers: l, tokens: n)
            } else {
                throughput = FlexGenLP(cost: costModel(gbs: gbs, nb: nb), pinned: nil).solve(with: solver)?.throughput
            }
            guard let throughput else { return nil }
            let solved = ShapeThroughput(gbs: gbs, nb: nb, throughput: throughput)
            evaluated.append(solved)
            return solved
        }
        for gbs in Self.batchSizes(upTo: maximumBatchSize) {
            if fast { template = LPTemplate(self, gbs: gbs) }
            guard let first = evaluate(gbs, 1) else { break }
            // Largest feasible nb: double, then bisect (feasible lo, infeasible hi).
            var lo = 1
            var hi = 2
            while hi <= maximumBatches, evaluate(gbs, hi) != nil {
                lo = hi
                hi *= 2
            }
            if hi > maximumBatches { hi = maximumBatches + 1 }
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if evaluate(gbs, mid) != nil { lo = mid } else { hi = mid }
            }
            // Sweep nb upwards until throughput drops. Comparisons ignore
            // relative differences below 10⁻⁹: throughput is often flat in nb
            // (all on the GPU), and a last-bit difference between solvers
            // must not decide where the sweep stops or which shape wins.
            func higher(_ a: Double, than b: Double) -> Bool { a > b * (1 + 1e-9) }
            var previous = first
            if best == nil || higher(first.throughput, than: best!.throughput) { best = first }
            var nb = 2
            while nb <= lo {
                guard let current = evaluate(gbs, nb) else { break }
                if higher(previous.throughput, than: current.throughput) { break }
                if higher(current.throughput, than: best!.throughput) { best = current }
                previous = current
                nb += 1
            }
        }
        let estimate = best.flatMap { FlexGenLP(cost: costModel(gbs: $0.gbs, nb: $0.nb), pinned: nil).solve(with: solver) }
        return Outcome(best: estimate, lpSolves: solves, evaluated: evaluated)
    }

    /// Evaluates one fixed policy: the given batch shape and pinned fractions
    /// (α from the workload; FlexGen uses 1.2 here). Nil when it does not fit.
    public func evaluate(gbs: Int, nb: Int, pinned: PinnedFractions?) -> OffloadEstimate? {
        let cost = costModel(gbs: gbs, nb: nb)
        return FlexGenLP(cost: cost, pinned: pinned).solve(with: solver)
    }

    /// How much memory is missing on which tier for the batch shape (the
    /// smallest total shortfall over all placements), empty when it fits.
    public func shortfall(gbs: Int = 1, nb: Int = 1, pinned: PinnedFractions? = nil) -> [(tier: String, bytes: Double)] {
        let cost = costModel(gbs: gbs, nb: nb)
        let built = FlexGenLP(cost: cost, pinned: pinned).build(diagnose: true)
        let result = solver.solve(built.model)
        guard result.status == .optimal else { return [] }
        return built.slacks.compactMap { slack in
            let missing = result.values[slack.variable.index] * Units.gigabyte / workload.alpha
            return missing > 1 ? (slack.tier, missing) : nil
        }
    }
}
