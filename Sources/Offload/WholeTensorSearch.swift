import MILP

/// Exact mode's search: the best whole-tensor placement over the batch
/// shapes FlexGen's search visits.
///
/// The LP at a shape is the continuous relaxation of the whole-tensor MILP
/// there, so its throughput bounds every whole-tensor placement of that
/// shape from above. The search first runs the LP search (recording every
/// feasible shape it solves), then solves MILPs in decreasing order of LP
/// throughput and stops as soon as the next shape's LP bound is no better
/// than the best placement found: that placement is then optimal over all
/// visited shapes (branch and bound with the shapes as branches). A cap on
/// MILPs keeps the worst case bounded; ``Outcome/proven`` says whether the
/// bound closed before the cap. When the cap is reached with nothing placed,
/// a second round of at most as many MILPs tries the smallest shapes first.
public struct WholeTensorSearch: Sendable {
    public var relaxation: PolicySearch
    /// The backend for the MILPs (GLPK by default; CBC serialises through the bridge).
    public var solver: any Solver = GLPKSolver()
    /// Never solve more MILPs than this.
    public var maximumMILPs = 64
    /// Accept only placements whose block simulation keeps every tier within
    /// its capacity (exact mode's rule): FlexGen's cost model undercounts
    /// GPU memory at very many GPU batches, and a placement the simulation
    /// rejects is no answer.
    public var simulationMustFit = false

    public init(relaxation: PolicySearch) {
        self.relaxation = relaxation
    }

    public struct Placement: Sendable {
        public var estimate: OffloadEstimate
        public var placement: WholeTensorPlacement
    }

    public struct Outcome: Sendable {
        public var best: Placement?
        /// The best continuous policy (the LP search's answer).
        public var relaxed: OffloadEstimate?
        public var lpSolves: Int
        public var milpSolves: Int
        /// Whether the LP bound proved `best` optimal over the visited shapes.
        public var proven: Bool
    }

    public func run() -> Outcome {
        let lp = relaxation.run()
        var candidates: [PolicySearch.ShapeThroughput] = []
        var seen = Set<[Int]>()
        for solved in lp.evaluated where seen.insert([solved.gbs, solved.nb]).inserted {
            candidates.append(solved)
        }
        candidates.sort { $0.throughput > $1.throughput }
        var best: Placement?
        var rejectedBatches = Int.max
        var milps = 0
        /// Solves the MILP at `candidate`'s shape; keeps the placement when it
        /// is the best so far and passes the simulation.
        func consider(_ candidate: PolicySearch.ShapeThroughput) {
            milps += 1
            guard let found = evaluate(gbs: candidate.gbs, nb: candidate.nb),
                  best == nil || found.estimate.throughput > best!.estimate.throughput,
                  fitsWhenSimulated(found, rejectedBatches: &rejectedBatches) else { return }
            best = found
        }
        var proven = true
        for candidate in candidates {
            if let best, candidate.throughput <= best.estimate.throughput * (1 + 1e-9) { break }
            if milps == maximumMILPs {
                proven = false
                break
            }
            consider(candidate)
        }
        if best == nil, !proven {
            // The cap went on the large shapes the LP prefers, where whole
            // tensors often do not fit; small shapes nearly always do, so a
            // second round tries the smallest first (Llama-2-70B on an
            // A100-40GB: nothing among the 64 best LP shapes, a placement
            // at gbs 1). Optimality over the shapes is then not proven.
            // Candidates are distinct shapes, so the untried ones are those past the cap.
            let smallest = candidates.dropFirst(maximumMILPs)
                .sorted { ($0.gbs * $0.nb, -$0.throughput) < ($1.gbs * $1.nb, -$1.throughput) }
            for candidate in smallest.prefix(maximumMILPs) { consider(candidate) }
        }
        return Outcome(best: best, relaxed: lp.best, lpSolves: lp.lpSolves, milpSolves: milps, proven: proven)
    }

    /// True unless ``simulationMustFit`` is set and the block simulation of
    /// `placement` breaks a capacity (or its plan fails verification).
    /// Simulations cost time in proportion to the GPU batches, and what
    /// the cost model misses grows with them: after a rejection at `nb`
    /// batches, shapes with more than half as many are rejected unsimulated
    /// (`rejectedBatches`), so rejections cost O(log nb) simulations.
    /// Llama-2-70B on an RTX 4090: 509 s when every candidate was simulated.
    func fitsWhenSimulated(_ placement: Placement, rejectedBatches: inout Int) -> Bool {
        guard simulationMustFit else { return true }
        let policy = placement.estimate.policy
        guard policy.nb < rejectedBatches else { return false }
        guard let simulated = try? relaxation.simulate(gbs: policy.gbs, nb: policy.nb, placement: placement.placement),
              simulated.violations.isEmpty, simulated.verifierFailures.isEmpty else {
            rejectedBatches = policy.nb / 2 + 1
            return false
        }
        return true
    }

    /// The best whole-tensor placement at one shape, nil when none fits.
    /// The solver's answer is re-evaluated and its peaks checked against the
    /// α-scaled capacities independently of the MILP's rows.
    public func evaluate(gbs: Int, nb: Int) -> Placement? {
        let cost = relaxation.costModel(gbs: gbs, nb: nb)
        guard let (estimate, placement) = WholeTensorMILP(cost: cost).solve(with: solver) else { return nil }
        let w = relaxation.workload
        let tolerance = 1 + 1e-7
        guard estimate.gpuPeakBytes <= w.alpha * w.gpuBytes * tolerance,
              estimate.cpuPeakBytes <= w.alpha * w.cpuBytes * tolerance,
              estimate.diskPeakBytes <= w.alpha * w.diskBytes * tolerance else { return nil }
        return Placement(estimate: estimate, placement: placement)
    }
}
