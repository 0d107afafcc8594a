import Foundation
import MILP
import ModelImport
import Offload
import Units

extension Planner {
    /// Where an LLM's weights, KV cache and activations live during
    /// inference, over the GPU, CPU memory and disk (or the chain of tiers
    /// a hardware profile describes), for the most generated tokens per
    /// second: FlexGen's policy search, or (``OffloadOptions/Mode/exact``)
    /// whole tensors per layer with a bound.
    /// - Parameters:
    ///   - path: a Hugging Face `config.json` (OPT, Llama, Mistral); the
    ///     result is named after the file.
    ///   - options: hardware profile, workload, batch shape, mode, time
    ///     limit (wall clock for the whole call, reading the files included).
    /// - Returns: the policy, checked (see ``OffloadResult``).
    /// - Throws: ``StowageError/badInput(source:location:reason:)`` for an
    ///   option out of range, a config or profile that cannot be used (the
    ///   file and the key); ``StowageError/solverFailure(reason:)`` when
    ///   nothing fits (naming the short tiers), the time limit passes first,
    ///   or the simulated block breaks a capacity;
    ///   ``StowageError/verificationFailed(method:reason:)`` for a policy
    ///   its own check rejects (a bug).
    ///
    /// Time: FlexGen mode at most 16 · (2·14 + 2^14) small LPs (in practice
    /// tens); exact mode at most 48 MILPs of 0.5 s each and their
    /// simulations (O(L·nb) operators per block plan, at most 2^18);
    /// both stop at the deadline, and exact mode chooses only a shape whose
    /// simulation and verification are estimated to fit in the time left. Memory: O(L·nb) for the block plans.
    public func offload(configAt path: String, options: OffloadOptions) throws(StowageError) -> OffloadResult {
        let deadline = Deadline(seconds: options.timeLimit)
        try options.check()
        let config: TransformerConfig
        do {
            config = try TransformerConfig.load(contentsOf: path)
        } catch {
            throw StowageError(error)
        }
        return try offload(config, source: path, options: options, deadline: deadline)
    }

    /// As ``offload(configAt:options:)`` for a config's JSON text.
    /// - Parameters:
    ///   - data: the `config.json` document.
    ///   - name: what to call the model in messages and text output.
    ///   - source: what to call the bytes in error messages.
    public func offload(configJSON data: Data, name: String = "config", source: String = "config JSON",
                        options: OffloadOptions) throws(StowageError) -> OffloadResult {
        let deadline = Deadline(seconds: options.timeLimit)
        try options.check()
        let config: TransformerConfig
        do {
            config = try TransformerConfig.parse(data: data, file: source, name: name)
        } catch {
            throw StowageError(error)
        }
        return try offload(config, source: source, options: options, deadline: deadline)
    }

    func offload(_ config: TransformerConfig, source: String, options: OffloadOptions,
                 deadline: Deadline) throws(StowageError) -> OffloadResult {
        let profile: HardwareProfile
        do {
            profile = try HardwareProfile.load(options.hardware)
        } catch {
            throw .badInput(source: error.field ?? options.hardware, location: nil, reason: error.message)
        }
        let shape = TransformerShape(config)
        if let problem = shape.validationProblem() {
            throw .badInput(source: source, location: "key \"\(TransformerShape.configKey(problem.field))\"", reason: problem.message)
        }
        let pinned = options.pinned
        let workload = OffloadWorkload(
            promptLength: options.prompt, generatedTokens: options.gen,
            gpuBytes: Double(options.gpuMem ?? profile.gpuMemory),
            cpuBytes: Double(options.cpuMem ?? profile.cpuMemory),
            diskBytes: Double(options.disk ?? profile.disk),
            alpha: options.alpha ?? (pinned == nil ? 0.8 : 1.2), compressWeights: options.compressWeights
        )
        if let problem = workload.validationError() { throw .badInput(source: "options", location: nil, reason: problem) }
        if options.simulate || options.mode == .exact, let nb = options.nb, shape.layers * nb > OffloadLimits.maximumBlockOperators {
            throw .badInput(source: "options", location: "nb", reason: "\(nb): a block of \(shape.layers) layers × \(nb) GPU batches is more "
                + "than the \(OffloadLimits.maximumBlockOperators) operators a simulated plan is built for")
        }
        var run = OffloadRun(config: config, profile: profile, options: options, deadline: deadline,
                             search: PolicySearch(shape: shape, hardware: profile, workload: workload))
        run.search.deadline = deadline
        var result = options.mode == .exact ? try run.exact() : try run.flexGen(pinned: pinned)
        result.report.seconds = deadline.elapsed
        if let problem = result.report.nonFiniteFigure(model: config.name, hardware: profile.name) {
            throw .solverFailure(reason: problem)
        }
        return result
    }
}

/// One offload request between its checked inputs and its result: the
/// search of the mode asked for, its failures as ``StowageError``s.
struct OffloadRun {
    let config: TransformerConfig
    let profile: HardwareProfile
    let options: OffloadOptions
    let deadline: Deadline
    var search: PolicySearch

    /// FlexGen's LP over batch shapes, or the one shape (and fixed policy) asked for.
    func flexGen(pinned: PinnedFractions?) throws(StowageError) -> OffloadResult {
        var search = self.search
        let estimate: OffloadEstimate?
        var solves = 1
        var timedOut = false
        if let gbs = options.gbs, let nb = options.nb {
            estimate = search.evaluate(gbs: gbs, nb: nb, pinned: pinned)
        } else {
            if let gbs = options.gbs { search.maximumBatchSize = gbs }
            let outcome = search.run()
            estimate = outcome.best
            solves = outcome.lpSolves
            timedOut = outcome.timedOut
        }
        guard let estimate else {
            if timedOut { throw .solverFailure(reason: "no policy found within the time limit of \(Self.seconds(options.timeLimit ?? 0)) s") }
            throw doesNotFit(search, pinned: pinned)
        }
        if let problem = OffloadCheck.problem(estimate, workload: search.workload) {
            throw .verificationFailed(method: "flexgen", reason: problem)
        }
        var report = OffloadReport(estimate: estimate, lpSolves: solves, seconds: deadline.elapsed)
        report.timedOut = timedOut ? true : nil
        var result = OffloadResult(report: report, model: config.name, hardware: profile.name)
        if options.simulate {
            let policy = estimate.policy
            guard search.shape.layers * policy.nb <= OffloadLimits.maximumBlockOperators else {
                throw .solverFailure(reason: "\(config.name) on \(profile.name): the policy's block (\(search.shape.layers) layers × \(policy.nb) GPU batches) "
                    + "is too large to simulate (more than \(OffloadLimits.maximumBlockOperators) operators)")
            }
            let placement = search.flexGenPlacement(of: policy)
            let sim: SimulatedPolicy
            do {
                sim = try search.simulate(gbs: policy.gbs, nb: policy.nb, placement: placement, deadline: deadline)
            } catch .timeLimit {
                throw .solverFailure(reason: "\(config.name) on \(profile.name): the block simulation of the policy (gbs \(policy.gbs), "
                    + "nb \(policy.nb)) did not finish within the time limit of \(Self.seconds(options.timeLimit ?? 0)) s")
            } catch {
                throw .solverFailure(reason: "\(config.name) on \(profile.name): could not build the block plan: \(error)")
            }
            result.attach(sim)
            try reject(sim, what: "FlexGen's rounding of the policy", gbs: policy.gbs, nb: policy.nb)
        }
        return result
    }

    /// Whole tensors per layer: the MILP at the given shape, or the
    /// LP-bounded search over batch shapes.
    func exact() throws(StowageError) -> OffloadResult {
        let sizes = LayerSizes.exact(search.shape, weights: options.compressWeights ? .int4 : .fp16,
                                     cache: options.compressCache ? .int4 : .fp16)
        var placements = PlacementSearch(shape: search.shape, hardware: profile, workload: search.workload, sizes: sizes)
        placements.deadline = deadline
        let best: PlacementSearch.Placement?
        var outcome = PlacementSearch.Outcome()
        if let gbs = options.gbs, let nb = options.nb {
            outcome.relaxed = placements.relaxation(gbs: gbs, nb: nb).map { .init(gbs: gbs, nb: nb, throughput: $0) }
            outcome.lpSolves = 1
            outcome.milpSolves = 1
            best = placements.evaluate(gbs: gbs, nb: nb)
            outcome.bound = best?.bound
            outcome.proven = best != nil
            outcome.timedOut = deadline.expired
        } else {
            if let gbs = options.gbs { placements.maximumBatchSize = gbs }
            outcome = placements.run()
            best = outcome.best
        }
        guard let best else {
            if outcome.unvalidated > 0 {
                throw .solverFailure(reason: "no whole-tensor placement could be simulated and verified within the time limit of "
                    + "\(Self.seconds(options.timeLimit ?? 0)) s" + (outcome.smallestUnvalidatedEstimate.map {
                        " (\(outcome.unvalidated) left out: the check of the smallest would take about \(Self.seconds($0)) s)"
                    } ?? ""))
            }
            if outcome.timedOut {
                throw .solverFailure(reason: "no whole-tensor placement found within the time limit of \(Self.seconds(options.timeLimit ?? 0)) s")
            }
            if let relaxed = outcome.relaxed {
                throw .solverFailure(reason: "\(config.name) on \(profile.name): no whole-tensor placement fits and passes the block "
                    + "simulation although a fractional one does (at gbs \(relaxed.gbs), nb \(relaxed.nb), α \(placements.workload.alpha))")
            }
            var exactLP = search
            exactLP.sizes = sizes
            throw doesNotFit(exactLP, pinned: nil)
        }
        guard let sim = best.simulated else {
            if deadline.isLimited, best.validationEstimate != nil || deadline.expired {
                throw .solverFailure(reason: "\(config.name) on \(profile.name): the placement at gbs \(best.gbs), nb \(best.nb) could not be "
                    + "simulated and verified within the time limit of \(Self.seconds(options.timeLimit ?? 0)) s"
                    + (best.validationEstimate.map { " (its check would take about \(Self.seconds($0)) s)" } ?? ""))
            }
            throw .solverFailure(reason: "\(config.name) on \(profile.name): the placement at gbs \(best.gbs), nb \(best.nb) could not be simulated")
        }
        try reject(sim, what: "the whole-tensor placement", gbs: best.gbs, nb: best.nb)
        var result = OffloadResult(report: OffloadReport(placement: best, sizes: sizes, outcome: outcome, seconds: deadline.elapsed),
                                   model: config.name, hardware: profile.name)
        result.attach(sim)
        return result
    }

    /// Seconds for a message: three significant digits.
    static func seconds(_ value: Double) -> String { String(format: "%.3g", value) }

    /// No answer when the simulated peaks or the plans' verification break a capacity.
    func reject(_ sim: SimulatedPolicy, what: String, gbs: Int, nb: Int) throws(StowageError) {
        guard !sim.fits else { return }
        let detail = sim.violations.map { "\($0.tier) over by \(Units.ByteCount.text(Int($0.excessBytes.rounded())))" } + sim.verifierFailures
        throw .solverFailure(reason: "\(config.name) on \(profile.name): \(what) (gbs \(gbs), nb \(nb)) "
            + "is rejected by the block simulation: " + detail.joined(separator: "; "))
    }

    /// No answer, naming the short tier(s) at the smallest shape (or the one asked for).
    func doesNotFit(_ search: PolicySearch, pinned: PinnedFractions?) -> StowageError {
        let gbs = options.gbs ?? 1, nb = options.nb ?? 1
        let short = search.shortfall(gbs: gbs, nb: nb, pinned: pinned)
        let detail = short.map { "\($0.tier) short by \(Units.ByteCount.text(Int($0.bytes.rounded())))" }.joined(separator: ", ")
        return .solverFailure(reason: "\(config.name) does not fit on \(profile.name)"
            + (detail.isEmpty ? "" : ": \(detail)") + " (at gbs \(gbs), nb \(nb), α \(search.workload.alpha))")
    }
}

extension OffloadResult {
    /// Adds the block simulation's figures and its verified plans.
    mutating func attach(_ sim: SimulatedPolicy) {
        report.attach(sim)
        prefillPlan = sim.prefillPlan
        decodePlan = sim.decodePlan
    }
}

/// The check a FlexGen policy passes before it is returned, independent of
/// the solver: its figures are re-evaluated from the LP's fractions by the
/// cost model, and here they must be a placement (each of weights, cache
/// and activations split into shares in [0, 1] that sum to 1) whose peaks
/// fit the capacities the LP was given (α times the workload's).
enum OffloadCheck {
    /// Relative slack for the LP's feasibility tolerance (GLPK's 1e-7 on
    /// rows in GB), and an absolute one in bytes.
    static let relativeTolerance = 1e-6
    static let byteTolerance = 4096.0

    /// Why `estimate` is not a placement within the capacities, nil when it is.
    static func problem(_ estimate: OffloadEstimate, workload: OffloadWorkload) -> String? {
        let p = estimate.policy
        for (name, shares) in [("weights", [p.wg, p.wc, p.wn]), ("KV cache", [p.cg, p.cc, p.cn]), ("activations", [p.hg, p.hc, p.hn])] {
            if let bad = shares.first(where: { !($0 >= -relativeTolerance && $0 <= 1 + relativeTolerance) }) {
                return "the \(name) share \(bad) is not a fraction from 0 to 1"
            }
            let sum = shares.reduce(0, +)
            if !(abs(sum - 1) <= relativeTolerance) { return "the \(name) shares sum to \(sum), not 1" }
        }
        for (name, peak, capacity) in [("GPU", estimate.gpuPeakBytes, workload.gpuBytes), ("CPU", estimate.cpuPeakBytes, workload.cpuBytes),
                                       ("disk", estimate.diskPeakBytes, workload.diskBytes)] {
            let limit = workload.alpha * capacity
            if !(peak <= limit * (1 + relativeTolerance) + byteTolerance) {
                return "the \(name) peak of \(peak) bytes is above the \(limit) bytes the LP was given (α \(workload.alpha))"
            }
        }
        if !(estimate.throughput > 0) { return "the throughput \(estimate.throughput) is not positive" }
        return nil
    }
}

extension TransformerShape {
    /// The cost model's view of a Hugging Face config.
    public init(_ config: TransformerConfig) {
        let gated = config.family == .llama
        self.init(name: config.name, layers: config.layers, hidden: config.hiddenSize, ffn: config.ffnSize,
                  heads: config.heads, kvHeads: config.kvHeads, vocabulary: config.vocabSize,
                  gatedFFN: gated, biases: !gated, positions: config.family == .opt ? config.maxPositions ?? 0 : 0,
                  tiedEmbeddings: config.tiedEmbeddings)
    }

    /// The config key a shape field is read from.
    public static func configKey(_ field: String) -> String {
        switch field {
        case "layers": "num_hidden_layers"
        case "hidden size": "hidden_size"
        case "FFN size": "ffn_dim/intermediate_size"
        case "heads": "num_attention_heads"
        case "KV heads": "num_key_value_heads"
        case "vocabulary": "vocab_size"
        case "positions": "max_position_embeddings"
        default: field
        }
    }
}
