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
    /// The backend for the LPs; GLPK by default (thread-safe, no process lock).
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

    public struct Outcome: Sendable {
        /// The best policy, nil when nothing fits.
        public var best: OffloadEstimate?
        /// LPs solved.
        public var lpSolves: Int
        /// Every feasible shape the search solved, in the order solved.
        public var evaluated: [OffloadEstimate] = []
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

    /// Runs the search with FlexGen's capacities (α from the workload).
    public func run() -> Outcome {
        var solves = 0
        var best: OffloadEstimate?
        var evaluated: [OffloadEstimate] = []
        func evaluate(_ gbs: Int, _ nb: Int) -> OffloadEstimate? {
            solves += 1
            let cost = costModel(gbs: gbs, nb: nb)
            let estimate = FlexGenLP(cost: cost, pinned: nil).solve(with: solver)
            if let estimate { evaluated.append(estimate) }
            return estimate
        }
        for gbs in Self.batchSizes(upTo: maximumBatchSize) {
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
            // Sweep nb upwards until throughput drops.
            var previous = first
            if best == nil || first.throughput > best!.throughput { best = first }
            var nb = 2
            while nb <= lo {
                guard let current = evaluate(gbs, nb) else { break }
                if current.throughput < previous.throughput { break }
                if current.throughput > best!.throughput { best = current }
                previous = current
                nb += 1
            }
        }
        return Outcome(best: best, lpSolves: solves, evaluated: evaluated)
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
