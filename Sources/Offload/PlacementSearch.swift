import MILP

/// Exact mode: the best whole-tensor, per-layer placement over a chain of
/// tiers and over batch shapes, each checked by simulating and verifying
/// its block plan.
///
/// 1. Relaxation. For each GPU batch size of FlexGen's list (1, 2, 3, 4,
///    8, …) one LP (``PlacementProgram`` with continuous counts) is kept
///    alive and re-solved from its previous basis as nb changes
///    (``WarmSimplex``; the LP's data are affine in nb from nb = 2, so the
///    LPs at nb = 2 and 3 give every other). nb doubles until the LP is
///    infeasible, is bisected to the largest feasible value, and the best
///    nb is then narrowed by a ternary search around the best doubling
///    point. A batch size whose nb = 1 does not fit ends the search.
///    Every LP solved is a visited shape with its bound.
/// 2. Whole tensors. Shapes are taken in decreasing order of LP
///    throughput; at each, the MILP (integer counts) is solved by GLPK,
///    warm-started from the previous shape's placement, and its placement
///    re-evaluated from its counts and spread over the layers. The search
///    stops when the next shape's LP bound is within ``shapeTolerance`` of
///    the best placement: that placement is then optimal over the visited
///    shapes within the tolerance (branch and bound with the shapes as
///    branches, the LP as the bound). The best placement is then simulated
///    and its plans verified (``SimulatedPolicy``); one whose simulated
///    peaks break a capacity is rejected and the search goes on.
/// 3. Time. With a limited ``deadline`` the LPs take at most
///    ``relaxationShare`` of it, and the check of a placement is budgeted
///    before it is chosen (ValidationBudget.swift): a shape whose check is
///    estimated not to fit in the time left is passed over (its LP bound
///    stays in the bound, and the result is then not proven), so that the
///    answer is a checked placement within the limit or none.
///
/// Cost: O(G·log nb_max) warm LPs for G batch sizes (about 20 each), at
/// most ``maximumMILPs`` MILPs of a few dozen variables, at most
/// ``maximumRejections`` + 1 simulations (O(l·nb·K) actions each), and
/// with a deadline one or two calibrating checks of 2 and nb/8 GPU batches. Memory: one LP per
/// batch size at a time, the block plans of one placement.
public struct PlacementSearch: Sendable {
    public var shape: TransformerShape
    public var hardware: HardwareProfile
    public var workload: OffloadWorkload
    /// Byte and FLOP counts of a layer (exact: from the architecture).
    public var sizes: LayerSizes
    /// The MILP backend.
    public var solver: any Solver = GLPKSolver()
    public var maximumBatchSize = OffloadLimits.maximumBatchSize
    public var maximumBatches = OffloadLimits.maximumBatches
    /// Shapes searched have at most this many operators (layers × GPU
    /// batches), so that every candidate's block plans are built, verified
    /// and simulated within the search's time (a few tenths of a second at
    /// 2^13; larger blocks amortise streamed weights over more sequences,
    /// which the search makes up for with larger GPU batches: on the
    /// benchmark's rows the relaxation over all FlexGen's shapes is at most
    /// a few percent higher).
    public var maximumOperators = 1 << 13
    /// Decode segments costed and simulated separately (the cache grows).
    public var decodeSegments = 3
    /// Stop when the next shape's LP bound is at most (1 + this) × the best placement.
    public var shapeTolerance = 0.01
    /// Give up after this many placements rejected by their simulation.
    public var maximumRejections = 8
    /// Never solve more MILPs than this.
    public var maximumMILPs = 48
    /// Each MILP's own time cap, seconds (and never past the deadline): past
    /// it, the best placement GLPK found and its bound are used.
    public var milpSeconds = 0.5
    /// Reject placements whose simulated peaks break a capacity or whose plans fail verification.
    public var simulationMustFit = true
    public var deadline = Deadline.none
    /// Seconds per block operator (layer × GPU batch) of checking a
    /// placement (building, verifying and replaying its block plans); nil:
    /// measured during the search (``measureValidationRate(_:)``). With a
    /// limited deadline, a shape whose check is estimated not to fit in the
    /// time left is not chosen (see ValidationBudget.swift).
    public var validationSecondsPerOperator: Double?
    /// Estimated check times are multiplied by this before they are
    /// compared with the time left (the load of a shared machine changes).
    public var validationMargin = 1.25
    /// The share of the time left a check may take; the rest is for the
    /// answer's output and the process's exit (freeing the plans).
    public var validationShare = 0.9
    /// The share of the time left that the relaxation's LPs may take: the
    /// MILPs and the check of the chosen placement need the rest.
    public var relaxationShare = 0.5

    public init(shape: TransformerShape, hardware: HardwareProfile, workload: OffloadWorkload, sizes: LayerSizes) {
        self.shape = shape
        self.hardware = hardware
        self.workload = workload
        self.sizes = sizes
    }

    /// The machine's tiers with the workload's capacities for the GPU, the
    /// host and the last tier.
    public var tierSpecs: [TierSpec] { hardware.tierSpecs(for: workload) }

    var chain: TierChain { TierChain(tierSpecs) }

    var segments: [ChainCostModel.DecodeSegment] {
        ChainCostModel.segments(prompt: workload.promptLength, generated: workload.generatedTokens, count: decodeSegments)
    }

    /// The largest nb searched: the cap, and no more operators than ``maximumOperators``.
    var batchLimit: Int {
        max(1, min(maximumBatches, min(maximumOperators, OffloadLimits.maximumBlockOperators) / max(1, shape.layers)))
    }

    func costModel(gbs: Int, nb: Int, chain: TierChain) -> ChainCostModel {
        ChainCostModel(shape: shape, sizes: sizes, chain: chain, hardware: hardware, workload: workload, gbs: gbs, nb: nb)
    }

    /// One visited shape and its LP throughput (the bound for whole tensors there).
    public struct ShapeThroughput: Sendable, Equatable {
        public var gbs: Int
        public var nb: Int
        public var throughput: Double

        public init(gbs: Int, nb: Int, throughput: Double) {
            self.gbs = gbs
            self.nb = nb
            self.throughput = throughput
        }
    }

    /// A whole-tensor placement at a shape.
    public struct Placement: Sendable {
        public var gbs: Int
        public var nb: Int
        public var counts: PlacementCounts
        public var layers: LayerPlacement
        /// Under the cost model, from the counts.
        public var throughput: Double
        public var prefillSeconds: Double
        public var decodeSeconds: Double
        /// Per tier (GPU first), the most bytes held in either phase (cost model).
        public var peakBytes: [Double]
        /// The busiest resource of the prefill and of each decode segment.
        public var bottlenecks: [String]
        /// Busy seconds per resource over the block under the cost model.
        public var busy: [String: Double]
        /// The MILP's bound at this shape, as throughput.
        public var bound: Double
        /// The simulation of its block plans (nil when not asked for, or
        /// when it could not be done within the deadline).
        public var simulated: SimulatedPolicy?
        /// The estimated seconds of that check (with the margin), when one
        /// was made because the deadline is limited.
        public var validationEstimate: Double?
    }

    public struct Outcome: Sendable {
        public var best: Placement?
        /// The best LP over the visited shapes: the continuous relaxation.
        public var relaxed: ShapeThroughput?
        /// No whole-tensor placement of a visited shape beats this: the best
        /// MILP bound among the shapes solved, and the LP bound of the rest.
        public var bound: Double?
        public var lpSolves = 0
        public var milpSolves = 0
        public var simulations = 0
        /// Placements or shapes left out because their check was estimated
        /// not to fit in the time left, and the smallest such estimate (seconds).
        public var unvalidated = 0
        public var smallestUnvalidatedEstimate: Double?
        /// Whether the LP bounds closed within ``shapeTolerance`` before the caps.
        public var proven = false
        public var timedOut = false
        /// Warm LP solves that gave up numerically and were redone by GLPK.
        public var fallbacks = 0
        public var evaluated: [ShapeThroughput] = []

        public init() {}
    }

    // MARK: Relaxation

    /// The LP of one batch size across nb: built at nb = 2 and 3 (nb = 1
    /// keeps hidden states on the GPU, so it is built on its own), kept
    /// warm in one simplex.
    struct ShapeLP {
        let search: PlacementSearch
        let chain: TierChain
        let gbs: Int
        let one: DenseLP, two: DenseLP
        let times: [Int], weights: [Double]
        var simplex: WarmSimplex
        var failures = 0

        init(_ search: PlacementSearch, chain: TierChain, gbs: Int, reusing previous: WarmSimplex?) {
            self.search = search
            self.chain = chain
            self.gbs = gbs
            let a = PlacementProgram(cost: search.costModel(gbs: gbs, nb: 2, chain: chain), integer: false, segments: search.segments).build()
            let b = PlacementProgram(cost: search.costModel(gbs: gbs, nb: 3, chain: chain), integer: false, segments: search.segments).build()
            one = DenseLP(a.model)
            two = DenseLP(b.model)
            times = a.times.map(\.index)
            weights = a.phaseWeights
            if var simplex = previous, simplex.n == one.lower.count, simplex.m == one.rowLower.count {
                simplex.update(one)
                self.simplex = simplex
            } else {
                simplex = WarmSimplex(one)
            }
        }

        func data(nb: Int) -> DenseLP {
            nb == 1 ? DenseLP(PlacementProgram(cost: search.costModel(gbs: gbs, nb: 1, chain: chain), integer: false, segments: search.segments).build().model)
                : DenseLP.interpolate(one, two, t: Double(nb - 2))
        }

        /// LP throughput at nb; nil when infeasible.
        mutating func throughput(nb: Int) -> Double? {
            if nb == 1 { simplex.update(data(nb: 1)) } else { simplex.update(interpolating: one, two, t: Double(nb - 2)) }
            var outcome = simplex.solve()
            if outcome == .failed {
                failures += 1
                let model = PlacementProgram(cost: search.costModel(gbs: gbs, nb: nb, chain: chain), integer: false, segments: search.segments).build().model
                let result = GLPKSolver(cuts: false).solve(model)
                outcome = result.status == .optimal ? .optimal(result.values) : .infeasible
            }
            guard case .optimal(let values) = outcome else { return nil }
            let seconds = zip(times, weights).reduce(0) { $0 + values[$1.0] * $1.1 }
            guard seconds > 0 else { return nil }
            return Double(gbs * nb) * Double(search.workload.generatedTokens) / seconds
        }
    }

    /// The LP bound at one shape (a fresh solve), nil when nothing fits.
    public func relaxation(gbs: Int, nb: Int) -> Double? {
        var lp = ShapeLP(self, chain: chain, gbs: gbs, reusing: nil)
        return lp.throughput(nb: nb)
    }

    // MARK: Whole tensors

    /// The best whole-tensor placement at one shape (MILP), simulated when
    /// `simulate`; nil when none fits (or the MILP found none in its time).
    /// With a limited deadline, the check is estimated first (measured at
    /// nb/8 GPU batches) and skipped, leaving `simulated` nil and
    /// `validationEstimate` set, when it would not fit in the time left.
    public func evaluate(gbs: Int, nb: Int, simulate: Bool = true, warmStart: PlacementCounts? = nil) -> Placement? {
        guard case .placed(var placement) = solveShape(gbs: gbs, nb: nb, warmStart: warmStart) else { return nil }
        if simulate {
            if deadline.isLimited {
                var rate = validationSecondsPerOperator
                if rate == nil, nb > 2 { rate = measureValidationRate(placement) }
                if let rate {
                    let estimate = validationSeconds(nb: nb, secondsPerOperator: rate)
                    placement.validationEstimate = estimate
                    if estimate > validationBudget { return placement }
                }
            }
            let cost = costModel(gbs: gbs, nb: nb, chain: chain)
            placement.simulated = try? SimulatedPolicy.simulate(cost: cost, segments: segments, placement: placement.layers, deadline: deadline)
        }
        return placement
    }

    enum ShapeResult {
        case placed(Placement)
        /// The MILP proved that no whole-tensor placement fits.
        case infeasible
        /// The MILP stopped (time) without a placement; its bound as throughput, if any.
        case unknown(bound: Double?)
    }

    /// The MILP at one shape. Its placement is re-evaluated from the counts
    /// (and must fit α times every capacity under the cost model), then
    /// spread over the layers.
    func solveShape(gbs: Int, nb: Int, warmStart: PlacementCounts?, deadline: Deadline? = nil) -> ShapeResult {
        let chain = self.chain
        let cost = costModel(gbs: gbs, nb: nb, chain: chain)
        let program = PlacementProgram(cost: cost, integer: true, segments: segments)
        let built = program.build()
        var options = SolveOptions(timeLimit: milpSeconds, relativeGap: 1e-4)
        options.logLevel = .quiet
        options.deadline = deadline ?? self.deadline
        if let start = warmStart.flatMap({ adjusted($0, gbs: gbs, nb: nb) }) { options.warmStart = program.solution(built, counts: start) }
        let result = solver.solve(built.model, options: options)
        let work = cost.g * cost.batches * cost.n
        /// The MILP's bound on seconds a block, less the tie-break, as throughput.
        func throughputBound(_ objective: Double?) -> Double? {
            objective.map { work / max($0 - built.tieBreak, 1e-300) }
        }
        switch result.status {
        case .optimal, .feasible: break
        case .infeasible: return .infeasible
        default: return .unknown(bound: throughputBound(result.bound))
        }
        let counts = PlacementProgram.counts(built, values: result.values)
        let evaluation = PlacementEvaluation(cost: cost, segments: segments, counts: counts)
        guard counts.weights.allSatisfy({ $0.reduce(0, +) == shape.layers }),
              counts.cache.reduce(0, +) == shape.layers * shape.kvHeads * nb, counts.hidden.reduce(0, +) == gbs,
              counts.decodeHidden.reduce(0, +) == gbs,
              evaluation.fits(cost) else { return .unknown(bound: throughputBound(result.bound)) }
        let layers = LayerPlacement.distribute(counts, sizes: sizes, chain: chain, layers: shape.layers, kvHeads: shape.kvHeads, batches: nb)
        let bound = max(evaluation.throughput, throughputBound(result.bound ?? result.objective) ?? evaluation.throughput)
        let decode = zip(evaluation.phaseSeconds.dropFirst(), program.phaseWeights.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 }
        return .placed(Placement(gbs: gbs, nb: nb, counts: counts, layers: layers, throughput: evaluation.throughput,
                                 prefillSeconds: evaluation.phaseSeconds[0], decodeSeconds: decode,
                                 peakBytes: evaluation.peakBytes, bottlenecks: evaluation.bottlenecks, busy: evaluation.busy,
                                 bound: bound, simulated: nil))
    }

    /// `counts` made to fit another batch shape (hidden sequences rescaled
    /// to gbs, all on the GPU for one batch), for a warm start.
    func adjusted(_ counts: PlacementCounts, gbs: Int, nb: Int) -> PlacementCounts? {
        guard counts.weights.count == sizes.tensors.count, counts.cache.count == chain.count else { return nil }
        var result = counts
        // Cache units scale with nb: keep each tier's share.
        let units = counts.cache.reduce(0, +), target = shape.layers * shape.kvHeads * nb
        guard units > 0 else { return nil }
        result.cache = counts.cache.map { $0 * target / units }
        result.cache[0] += target - result.cache.reduce(0, +)
        func rescaled(_ hidden: [Int]) -> [Int]? {
            let total = hidden.reduce(0, +)
            guard total > 0 else { return nil }
            var scaled = nb == 1 ? hidden.map { _ in 0 } : hidden.map { $0 * gbs / total }
            scaled[0] += gbs - scaled.reduce(0, +)
            return scaled
        }
        guard let hidden = rescaled(counts.hidden), let decode = rescaled(counts.decodeHidden) else { return nil }
        result.hidden = hidden
        result.decodeHidden = decode
        return result
    }

    // MARK: The search

    public func run() -> Outcome {
        var outcome = Outcome()
        let chain = self.chain
        var lp: ShapeLP?
        var evaluated: [ShapeThroughput] = []
        func solve(_ gbs: Int, _ nb: Int) -> Double? {
            outcome.lpSolves += 1
            guard let value = lp!.throughput(nb: nb) else { return nil }
            evaluated.append(ShapeThroughput(gbs: gbs, nb: nb, throughput: value))
            return value
        }
        let limit = batchLimit
        // The LPs stop early enough to leave the MILPs and the check their share.
        let deadline = self.deadline.fraction(relaxationShare)
        gbsLoop: for gbs in PolicySearch.batchSizes(upTo: maximumBatchSize) {
            if deadline.expired { outcome.timedOut = true; break }
            lp = ShapeLP(self, chain: chain, gbs: gbs, reusing: lp?.simplex)
            defer { outcome.fallbacks += lp?.failures ?? 0 }
            guard let first = solve(gbs, 1) else { break }
            var values: [Int: Double] = [1: first]
            var lo = 1, hi = 2
            while hi <= limit {
                if deadline.expired { outcome.timedOut = true; break gbsLoop }
                guard let value = solve(gbs, hi) else { break }
                values[hi] = value
                lo = hi
                hi *= 2
            }
            if hi > limit { hi = limit + 1 }
            while hi - lo > 1 {
                if deadline.expired { outcome.timedOut = true; break gbsLoop }
                let mid = (lo + hi) / 2
                if let value = solve(gbs, mid) { values[mid] = value; lo = mid } else { hi = mid }
            }
            // Ternary search around the best point so far, within [1, lo].
            let bestSoFar = values.max { $0.value < $1.value }!.key
            var a = max(1, bestSoFar / 2), b = min(lo, bestSoFar * 2)
            func value(_ nb: Int) -> Double {
                if let v = values[nb] { return v }
                let v = solve(gbs, nb) ?? 0
                values[nb] = v
                return v
            }
            while b - a > 2 {
                if deadline.expired { outcome.timedOut = true; break gbsLoop }
                let m1 = a + (b - a) / 3, m2 = b - (b - a) / 3
                if value(m1) < value(m2) { a = m1 + 1 } else { b = m2 - 1 > m1 ? m2 - 1 : m2 }
            }
            for nb in a ... max(a, b) {
                if deadline.expired { outcome.timedOut = true; break gbsLoop }
                _ = value(nb)
            }
        }
        outcome.evaluated = evaluated
        var candidates: [ShapeThroughput] = []
        var seen = Set<[Int]>()
        for shape in evaluated where seen.insert([shape.gbs, shape.nb]).inserted { candidates.append(shape) }
        candidates.sort { ($0.throughput, -$0.gbs * $0.nb) > ($1.throughput, -$1.gbs * $1.nb) }
        outcome.relaxed = candidates.first
        return choose(from: candidates, outcome: outcome)
    }

    /// Step 2 of the search: MILPs over `candidates` (best LP first) and
    /// the check of the best placement, within the deadline: a shape whose
    /// check is estimated (``validationSeconds(nb:secondsPerOperator:)``)
    /// not to fit in the time left is passed over, and each MILP stops
    /// early enough to leave its shape's check that time.
    func choose(from candidates: [ShapeThroughput], outcome: Outcome) -> Outcome {
        var outcome = outcome
        let chain = self.chain
        /// Seconds per block operator of a check: given, or the largest measured so far.
        var rate = validationSecondsPerOperator
        func estimate(_ nb: Int) -> Double? { rate.map { validationSeconds(nb: nb, secondsPerOperator: $0) } }
        /// Whether a check at nb is estimated to fit in the time left (unknown: yes).
        func fitsInTime(_ nb: Int) -> Bool {
            guard let seconds = estimate(nb) else { return true }
            return seconds <= validationBudget
        }
        /// The LP bound of the best shape passed over for time.
        var passedOver = 0.0
        func passOver(_ throughput: Double, estimate seconds: Double?) {
            outcome.unvalidated += 1
            passedOver = max(passedOver, throughput)
            if let seconds { outcome.smallestUnvalidatedEstimate = min(outcome.smallestUnvalidatedEstimate ?? seconds, seconds) }
        }

        // MILPs in decreasing order of LP bound until the next bound is within
        // the tolerance of the best placement not rejected by its simulation.
        // Placements are simulated lazily, best first, once the bounds close
        // (or the caps are reached); a rejected one reopens the search.
        var placed: [Placement] = []       // not simulated yet, or fitting
        var rejected = 0
        var best: Placement?               // simulated and fitting
        var previous: PlacementCounts?
        var bound = 0.0
        var proven = false
        var index = 0
        func incumbent() -> Placement? { placed.max { $0.throughput < $1.throughput } }
        while true {
            while index < candidates.count {
                let candidate = candidates[index]
                if let top = incumbent(), candidate.throughput <= top.throughput * (1 + shapeTolerance) { break }
                if outcome.milpSolves >= maximumMILPs || deadline.expired {
                    outcome.timedOut = outcome.timedOut || deadline.expired
                    break
                }
                index += 1
                guard fitsInTime(candidate.nb) else {
                    passOver(candidate.throughput, estimate: estimate(candidate.nb))
                    bound = max(bound, candidate.throughput)
                    continue
                }
                outcome.milpSolves += 1
                // The MILP leaves its shape's check the time it is estimated to take.
                let milpDeadline = estimate(candidate.nb).map { deadline.capped(at: validationBudget - $0) }
                switch solveShape(gbs: candidate.gbs, nb: candidate.nb, warmStart: previous, deadline: milpDeadline) {
                case .placed(let placement):
                    bound = max(bound, min(placement.bound, candidate.throughput))
                    previous = placement.counts
                    placed.append(placement)
                case .infeasible: continue
                case .unknown(let milpBound):
                    bound = max(bound, min(milpBound ?? candidate.throughput, candidate.throughput))
                }
            }
            guard let top = incumbent() else { break }
            if !simulationMustFit {
                best = top
                break
            }
            if let simulated = best?.simulated, best?.throughput == top.throughput, simulated.fits { break }
            placed.removeAll { $0.gbs == top.gbs && $0.nb == top.nb }
            if deadline.isLimited {
                if rate == nil, top.nb > 2, let measured = measureValidationRate(top) {
                    rate = measured
                }
                guard fitsInTime(top.nb) else {
                    // Not checked in time: not an answer; the next best may be.
                    passOver(top.throughput, estimate: estimate(top.nb))
                    if deadline.expired { outcome.timedOut = true; break }
                    continue
                }
            }
            outcome.simulations += 1
            let cost = costModel(gbs: top.gbs, nb: top.nb, chain: chain)
            let planned = estimate(top.nb)
            let watch = Stopwatch()
            let checked = try? SimulatedPolicy.simulate(cost: cost, segments: segments, placement: top.layers, deadline: deadline)
            if checked != nil {
                let perOperator = watch.seconds / Double(blockOperators(nb: top.nb))
                rate = max(rate ?? 0, perOperator)
            }
            if let simulated = checked, simulated.fits {
                var accepted = top
                accepted.validationEstimate = planned
                accepted.simulated = simulated
                best = accepted
                placed.append(accepted)
                break
            }
            rejected += 1
            if rejected >= maximumRejections || deadline.expired {
                outcome.timedOut = outcome.timedOut || deadline.expired
                break
            }
        }
        proven = best != nil && (index >= candidates.count || candidates[index].throughput <= best!.throughput * (1 + shapeTolerance))
            && passedOver <= best!.throughput * (1 + shapeTolerance)
        // Shapes not solved are bounded by their LP.
        for candidate in candidates[index...] { bound = max(bound, candidate.throughput) }
        outcome.best = best
        outcome.bound = best == nil && candidates.isEmpty ? nil : max(bound, best?.throughput ?? 0)
        outcome.proven = proven
        return outcome
    }
}
