import MILP

/// FlexGen's policy search: over GPU batch sizes 1, 2, 3, 4, 8, 16, …, find
/// the largest number of GPU batches that still fits, then sweep the number
/// of batches upwards until throughput drops, keeping the best policy seen.
///
/// Each batch size costs O(log nb_max) LPs to bound nb and at most nb_max
/// to sweep (in practice a handful: the sweep stops at the first drop).
/// With the caps below, a search never solves more than
/// 16 · (2·14 + 2^14) LPs, and it stops early at its ``deadline``.
///
/// The LPs of one GPU batch size differ only in their coefficients, so one
/// ``WarmSimplex`` per batch size is kept alive and re-solved from the
/// previous basis for every nb (``warmStart``, the default); the best
/// shape's policy is then solved again by ``solver`` from a freshly built
/// model and re-evaluated from its fractions, so the reported figures never
/// rest on the warm solves.
public struct PolicySearch: Sendable {
    public var shape: TransformerShape
    public var hardware: HardwareProfile
    public var workload: OffloadWorkload
    /// Byte and FLOP counts per layer: FlexGen's OPT formulas unless set
    /// (exact mode uses ``LayerSizes/exact(_:weights:cache:)``).
    public var sizes: LayerSizes
    /// The backend for fixed policies, shortfalls and the final re-solve
    /// of the best shape (and for every LP when ``warmStart`` is off).
    public var solver: any Solver = GLPKSolver(cuts: false)
    /// Re-solve each batch size's LP from the previous basis (the dense
    /// warm simplex) instead of building and solving it with ``solver``.
    public var warmStart = true
    /// Never try more GPU batches per block than this.
    public var maximumBatches = OffloadLimits.maximumBatches
    /// Never try a GPU batch larger than this.
    public var maximumBatchSize = OffloadLimits.maximumBatchSize
    /// The wall-clock budget: the search stops when it passes and returns
    /// the best policy found so far (``Outcome/timedOut``).
    public var deadline = Deadline.none

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
        /// Whether the deadline stopped the search before it finished.
        public var timedOut = false
        /// Warm solves that gave up numerically and were redone by ``solver``.
        public var fallbacks = 0
    }

    /// The batch sizes FlexGen tries: 1, 2, 3, 4, then doubling. O(log limit).
    public static func batchSizes(upTo limit: Int) -> [Int] {
        var sizes = [1, 2, 3, 4].filter { $0 <= limit }
        var next = 8
        while next <= limit {
            sizes.append(next)
            next *= 2
        }
        return sizes
    }

    /// The LP of one GPU batch size, kept alive across nb: built at nb = 1
    /// and nb = 2, interpolated for any other nb (the data are affine in
    /// nb), re-solved from the previous basis. The objective l·Tpre +
    /// l·(n−1)·Tgen is the spec's T / bls times bls, a constant per shape,
    /// so the optimum is the same.
    struct ShapeLP {
        let one: DenseLP, two: DenseLP
        let prefill: Int, decode: Int
        var simplex: WarmSimplex
        let gbs: Int, layers: Double, tokens: Double

        /// `reusing`: the previous batch size's simplex, whose basis (same
        /// rows and columns) is a better start than the slack basis.
        init(_ search: PolicySearch, gbs: Int, reusing previous: WarmSimplex?) {
            let a = FlexGenLP(cost: search.costModel(gbs: gbs, nb: 1), pinned: nil).build()
            let b = FlexGenLP(cost: search.costModel(gbs: gbs, nb: 2), pinned: nil).build()
            self.gbs = gbs
            layers = Double(search.shape.layers)
            tokens = Double(search.workload.generatedTokens)
            prefill = a.prefill.index
            decode = a.decode.index
            one = Self.withTimeObjective(DenseLP(a.model), prefill, decode, layers, tokens)
            two = Self.withTimeObjective(DenseLP(b.model), prefill, decode, layers, tokens)
            if var simplex = previous {
                simplex.update(one)
                self.simplex = simplex
            } else {
                simplex = WarmSimplex(one)
            }
        }

        static func withTimeObjective(_ lp: DenseLP, _ prefill: Int, _ decode: Int, _ l: Double, _ n: Double) -> DenseLP {
            var lp = lp
            lp.objective = [Double](repeating: 0, count: lp.objective.count)
            lp.objective[prefill] = l
            lp.objective[decode] = l * (n - 1)
            return lp
        }

        /// The LP's data at `nb`.
        func data(nb: Int) -> DenseLP { DenseLP.interpolate(one, two, t: Double(nb - 1)) }

        /// Throughput at `nb`, nil when infeasible; `.failed` solves return nil with `failed` set.
        mutating func throughput(nb: Int, failed: inout Bool) -> Double? {
            simplex.update(interpolating: one, two, t: Double(nb - 1))
            switch simplex.solve() {
            case .optimal(let values):
                let bls = Double(gbs * nb)
                return bls * tokens / (layers * values[prefill] + layers * (tokens - 1) * values[decode])
            case .infeasible, .unbounded:
                return nil
            case .failed:
                failed = true
                return nil
            }
        }
    }

    /// Runs the search with FlexGen's capacities (α from the workload).
    public func run() -> Outcome {
        var solves = 0
        var best: ShapeThroughput?
        var evaluated: [ShapeThroughput] = []
        var shapeLP: ShapeLP?
        var fallbacks = 0
        var timedOut = false
        func evaluate(_ gbs: Int, _ nb: Int) -> ShapeThroughput? {
            solves += 1
            var throughput: Double?
            var failed = !warmStart
            if warmStart, shapeLP != nil { throughput = shapeLP!.throughput(nb: nb, failed: &failed) }
            if failed {
                if warmStart { fallbacks += 1 }
                throughput = FlexGenLP(cost: costModel(gbs: gbs, nb: nb), pinned: nil).solve(with: solver)?.throughput
            }
            guard let throughput else { return nil }
            let solved = ShapeThroughput(gbs: gbs, nb: nb, throughput: throughput)
            evaluated.append(solved)
            return solved
        }
        gbsLoop: for gbs in Self.batchSizes(upTo: maximumBatchSize) {
            if deadline.expired { timedOut = true; break }
            if warmStart { shapeLP = ShapeLP(self, gbs: gbs, reusing: shapeLP?.simplex) }
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
                if nb % 64 == 0, deadline.expired { timedOut = true; break gbsLoop }
                guard let current = evaluate(gbs, nb) else { break }
                if higher(previous.throughput, than: current.throughput) { break }
                if higher(current.throughput, than: best!.throughput) { best = current }
                previous = current
                nb += 1
            }
        }
        let estimate = best.flatMap { FlexGenLP(cost: costModel(gbs: $0.gbs, nb: $0.nb), pinned: nil).solve(with: solver) }
        return Outcome(best: estimate, lpSolves: solves, evaluated: evaluated, timedOut: timedOut, fallbacks: fallbacks)
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
            let missing = result.values[slack.variable.index] * FlexGenUnits.gigabyte / workload.alpha
            return missing > 1 ? (slack.tier, missing) : nil
        }
    }
}
