import ArgumentParser
import Foundation
import MILP
import ModelImport
import Offload
import Units

/// `stowage offload`: placement of an LLM's weights, KV cache and
/// activations over the GPU, CPU memory and disk (or any chain of tiers a
/// profile describes), FlexGen's way or with whole tensors per layer.
struct OffloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offload",
        abstract: "Choose where an LLM's weights, KV cache and activations live: GPU, CPU memory, disk (or a profile's chain of tiers).",
        discussion: """
            Without --gbs/--nb, runs FlexGen's policy search (an LP per batch \
            shape, capacities scaled by α = 0.8). With --gbs and --nb, solves \
            that shape only; adding --percent evaluates that fixed policy \
            (α = 1.2, as FlexGen does). --mode exact counts bytes from the \
            architecture (Llama/Mistral: gated FFN, grouped-query attention), \
            places whole tensors per layer (each layer may keep different \
            tensors on the GPU) with a MILP per batch shape over every tier of \
            the profile, reports the continuous relaxation and the MILP's bound \
            beside it, and simulates and verifies the block plan. Sizes: \
            \(Units.ByteCount.grammar); FlexGen's "GB" is 2^30 bytes, so write GiB \
            to reproduce FlexGen (--gpu-mem 16GiB). Ranges: --prompt and --gen \
            1…2^20, --gbs and --nb 1…16384, --alpha 0.001…2, --time-limit up \
            to 10^6 s. `stowage offload calibrate` fits a profile's constants \
            to measured timings.
            """,
        subcommands: [OffloadCalibrateCommand.self]
    )

    /// Optional only so that `stowage offload calibrate` parses without it; `run` requires it.
    @Option(help: "A Hugging Face config.json (OPT, Llama, Mistral). Required.")
    var model: String?

    @Option(help: "A hardware profile: a JSON file, or a built-in name (\(HardwareProfile.builtIn.keys.sorted().joined(separator: ", "))).")
    var hardware: String = "t4"

    @Option(parsing: .unconditional, help: "Prompt length s (1…2^20).")
    var prompt: Int = 512

    @Option(parsing: .unconditional, help: "Generated tokens n (1…2^20).")
    var gen: Int = 32

    @Option(name: .customLong("gpu-mem"), parsing: .unconditional, help: "GPU memory, a size such as 16GiB (default: the profile's).")
    var gpuMemory: String?

    @Option(name: .customLong("cpu-mem"), parsing: .unconditional, help: "CPU memory, a size such as 200GiB (default: the profile's).")
    var cpuMemory: String?

    @Option(parsing: .unconditional, help: "Disk space (the profile's last tier), a size such as 1500GiB (default: the profile's).")
    var disk: String?

    @Option(parsing: .unconditional, help: "GPU batch size (1…16384).")
    var gbs: Int?

    @Option(parsing: .unconditional, help: "Number of GPU batches per block (1…16384).")
    var nb: Int?

    @Option(parsing: .upToNextOption, help: "Fixed percentages WG WC CG CC HG HC (disk gets the rest).")
    var percent: [Double] = []

    @Option(parsing: .unconditional, help: "Relaxation α on every capacity, 0.001…2 (default 0.8 for a search, 1.2 for a fixed policy).")
    var alpha: Double?

    @Flag(name: .customLong("compress-weights"), help: "Weights compressed to 4 bits.")
    var compressWeights = false

    @Flag(name: .customLong("compress-cache"), help: "KV cache compressed to 4 bits (exact mode).")
    var compressCache = false

    @Option(help: "flexgen: reproduce FlexGen's policy search; exact: architecture byte counts and whole tensors per layer over the profile's tiers.")
    var mode: OffloadMode = .flexgen

    @Flag(help: "Simulate the FlexGen-rounded policy too (always done in exact mode); a policy whose simulated peaks break a capacity is rejected.")
    var simulate = false

    @Option(name: .customLong("time-limit"), parsing: .unconditional, help: "Wall-clock seconds for the whole command, reading the files included (up to 10^6); the best policy found and checked by then is printed (exit 0), or exit 1 when there is none.")
    var timeLimit: Double?

    @Flag(help: "Print one JSON object.")
    var json = false

    enum OffloadMode: String, ExpressibleByArgument, CaseIterable {
        case flexgen, exact
    }

    /// Sizes given on the command line, in bytes.
    struct Sizes {
        var gpu: Int?, cpu: Int?, disk: Int?
    }

    /// Every option checked against its documented range before any
    /// arithmetic; a one-line message naming the option.
    func checkedOptions() throws -> Sizes {
        let tokens = 1 ... OffloadLimits.maximumTokens
        if !tokens.contains(prompt) { throw CommandFailure.badInput("--prompt must be 1 to \(OffloadLimits.maximumTokens), got \(prompt)") }
        if !tokens.contains(gen) { throw CommandFailure.badInput("--gen must be 1 to \(OffloadLimits.maximumTokens), got \(gen)") }
        if let gbs, !(1 ... OffloadLimits.maximumBatchSize).contains(gbs) {
            throw CommandFailure.badInput("--gbs must be 1 to \(OffloadLimits.maximumBatchSize), got \(gbs)")
        }
        if let nb, !(1 ... OffloadLimits.maximumBatches).contains(nb) {
            throw CommandFailure.badInput("--nb must be 1 to \(OffloadLimits.maximumBatches), got \(nb)")
        }
        if nb != nil && gbs == nil { throw CommandFailure.badInput("--nb needs --gbs") }
        if let alpha, !OffloadLimits.alphaRange.contains(alpha) {
            throw CommandFailure.badInput("--alpha must be a number from \(OffloadLimits.alphaRange.lowerBound) to \(OffloadLimits.alphaRange.upperBound), got \(alpha)")
        }
        if let timeLimit, !(timeLimit > 0 && timeLimit <= OffloadLimits.maximumSeconds) {
            throw CommandFailure.badInput("--time-limit must be a number of seconds above 0 and at most 10^6, got \(timeLimit)")
        }
        if !percent.isEmpty {
            guard PinnedFractions(percentages: percent) != nil else {
                throw CommandFailure.badInput("--percent takes six percentages WG WC CG CC HG HC, each 0 to 100, each pair summing to at most 100")
            }
            guard gbs != nil, nb != nil else { throw CommandFailure.badInput("--percent needs --gbs and --nb") }
        }
        if mode == .exact && !percent.isEmpty {
            throw CommandFailure.badInput("--percent fixes fractions FlexGen's way; exact mode places whole tensors (drop --percent or use --mode flexgen)")
        }
        if mode == .flexgen && compressCache {
            throw CommandFailure.badInput("--compress-cache needs --mode exact (FlexGen's LP does not model a compressed cache)")
        }
        func size(_ text: String?, _ option: String) throws -> Int? {
            guard let text else { return nil }
            let bytes: Int
            do {
                bytes = try Units.ByteCount.parse(text)
            } catch {
                throw CommandFailure.badInput("\(option): \(error.description)")
            }
            guard bytes <= OffloadLimits.maximumCapacity else {
                throw CommandFailure.badInput("\(option): '\(text)' is more than the 2^60 bytes a tier may have")
            }
            return bytes
        }
        return Sizes(gpu: try size(gpuMemory, "--gpu-mem"), cpu: try size(cpuMemory, "--cpu-mem"), disk: try size(disk, "--disk"))
    }

    func run() throws {
        let deadline = Deadline(seconds: timeLimit)
        let clock = Stopwatch()
        let sizes = try checkedOptions()
        guard let model else { throw CommandFailure.badInput("missing --model (a Hugging Face config.json)") }
        let config: TransformerConfig
        do {
            config = try TransformerConfig.load(contentsOf: model)
        } catch {
            throw CommandFailure.badInput(error.description)
        }
        let profile: HardwareProfile
        do {
            profile = try HardwareProfile.load(hardware)
        } catch {
            throw CommandFailure.badInput(error.description)
        }
        let shape = TransformerShape(config)
        if let problem = shape.validationProblem() {
            throw CommandFailure.badInput("\(model): key \"\(TransformerShape.configKey(problem.field))\": \(problem.message)")
        }
        let pinned = percent.isEmpty ? nil : PinnedFractions(percentages: percent)
        let workload = OffloadWorkload(
            promptLength: prompt, generatedTokens: gen,
            gpuBytes: Double(sizes.gpu ?? profile.gpuMemory),
            cpuBytes: Double(sizes.cpu ?? profile.cpuMemory),
            diskBytes: Double(sizes.disk ?? profile.disk),
            alpha: alpha ?? (pinned == nil ? 0.8 : 1.2), compressWeights: compressWeights
        )
        if let problem = workload.validationError() { throw CommandFailure.badInput(problem) }
        if simulate || mode == .exact, let nb, shape.layers * nb > OffloadLimits.maximumBlockOperators {
            throw CommandFailure.badInput("--nb \(nb): a block of \(shape.layers) layers × \(nb) GPU batches is more than the "
                + "\(OffloadLimits.maximumBlockOperators) operators a simulated plan is built for")
        }
        var search = PolicySearch(shape: shape, hardware: profile, workload: workload)
        search.deadline = deadline
        if mode == .exact {
            let exactSizes = LayerSizes.exact(shape, weights: compressWeights ? .int4 : .fp16, cache: compressCache ? .int4 : .fp16)
            return try runExact(policySearch: search, sizes: exactSizes, config: config, profile: profile, clock: clock, deadline: deadline)
        }
        let estimate: OffloadEstimate?
        var solves = 1
        var timedOut = false
        if let gbs, let nb {
            estimate = search.evaluate(gbs: gbs, nb: nb, pinned: pinned)
        } else {
            if let gbs { search.maximumBatchSize = gbs }
            let outcome = search.run()
            estimate = outcome.best
            solves = outcome.lpSolves
            timedOut = outcome.timedOut
        }
        guard let estimate else {
            if timedOut { throw CommandFailure.noAnswer("no policy found within the time limit of \(timeLimit ?? 0) s") }
            throw doesNotFit(search: search, config: config, profile: profile, pinned: pinned)
        }
        var report = OffloadReport(estimate: estimate, lpSolves: solves, seconds: clock.seconds)
        report.timedOut = timedOut ? true : nil
        if simulate {
            let policy = estimate.policy
            guard shape.layers * policy.nb <= OffloadLimits.maximumBlockOperators else {
                throw CommandFailure.noAnswer("\(config.name) on \(profile.name): the policy's block (\(shape.layers) layers × \(policy.nb) GPU batches) "
                    + "is too large to simulate (more than \(OffloadLimits.maximumBlockOperators) operators)")
            }
            let placement = search.flexGenPlacement(of: policy)
            let sim: SimulatedPolicy
            do {
                sim = try search.simulate(gbs: policy.gbs, nb: policy.nb, placement: placement)
            } catch {
                throw CommandFailure.noAnswer("\(config.name) on \(profile.name): could not build the block plan: \(error)")
            }
            report.attach(sim)
            try reject(sim, what: "FlexGen's rounding of the policy", gbs: policy.gbs, nb: policy.nb, config: config, profile: profile)
        }
        report.seconds = clock.seconds
        print(try report.output(json: json, model: config.name, hardware: profile.name))
    }

    /// Exit 1 when the simulated peaks or the plans' verification break a capacity.
    func reject(_ sim: SimulatedPolicy, what: String, gbs: Int, nb: Int, config: TransformerConfig, profile: HardwareProfile) throws {
        guard !sim.fits else { return }
        let detail = sim.violations.map { "\($0.tier) over by \(Units.ByteCount.text(Int($0.excessBytes.rounded())))" } + sim.verifierFailures
        throw CommandFailure.noAnswer("\(config.name) on \(profile.name): \(what) (gbs \(gbs), nb \(nb)) "
            + "is rejected by the block simulation: " + detail.joined(separator: "; "))
    }

    /// Exit 1 naming the short tier(s) at the smallest shape (or the one asked for).
    func doesNotFit(search: PolicySearch, config: TransformerConfig, profile: HardwareProfile,
                    pinned: PinnedFractions?) -> CommandFailure {
        let short = search.shortfall(gbs: gbs ?? 1, nb: nb ?? 1, pinned: pinned)
        let detail = short.map { "\($0.tier) short by \(Units.ByteCount.text(Int($0.bytes.rounded())))" }.joined(separator: ", ")
        return CommandFailure.noAnswer("\(config.name) does not fit on \(profile.name)"
            + (detail.isEmpty ? "" : ": \(detail)") + " (at gbs \(gbs ?? 1), nb \(nb ?? 1), α \(search.workload.alpha))")
    }

    /// `--mode exact`: the MILP at the given shape, or the LP-bounded
    /// search over batch shapes.
    func runExact(policySearch: PolicySearch, sizes: LayerSizes, config: TransformerConfig, profile: HardwareProfile,
                  clock: Stopwatch, deadline: Deadline) throws {
        var search = PlacementSearch(shape: policySearch.shape, hardware: profile, workload: policySearch.workload, sizes: sizes)
        search.deadline = deadline
        let best: PlacementSearch.Placement?
        var outcome = PlacementSearch.Outcome()
        if let gbs, let nb {
            outcome.relaxed = search.relaxation(gbs: gbs, nb: nb).map { .init(gbs: gbs, nb: nb, throughput: $0) }
            outcome.lpSolves = 1
            outcome.milpSolves = 1
            best = search.evaluate(gbs: gbs, nb: nb)
            outcome.bound = best?.bound
            outcome.proven = best != nil
            outcome.timedOut = deadline.expired
        } else {
            if let gbs { search.maximumBatchSize = gbs }
            outcome = search.run()
            best = outcome.best
        }
        guard let best else {
            if outcome.timedOut { throw CommandFailure.noAnswer("no whole-tensor placement found within the time limit of \(timeLimit ?? 0) s") }
            if let relaxed = outcome.relaxed {
                throw CommandFailure.noAnswer("\(config.name) on \(profile.name): no whole-tensor placement fits and passes the block "
                    + "simulation although a fractional one does (at gbs \(relaxed.gbs), nb \(relaxed.nb), α \(search.workload.alpha))")
            }
            var exactLP = policySearch
            exactLP.sizes = sizes
            throw doesNotFit(search: exactLP, config: config, profile: profile, pinned: nil)
        }
        guard let sim = best.simulated else {
            throw CommandFailure.noAnswer("\(config.name) on \(profile.name): the placement at gbs \(best.gbs), nb \(best.nb) could not be simulated")
        }
        try reject(sim, what: "the whole-tensor placement", gbs: best.gbs, nb: best.nb, config: config, profile: profile)
        var report = OffloadReport(placement: best, sizes: sizes, outcome: outcome, seconds: clock.seconds)
        report.attach(sim)
        report.seconds = clock.seconds
        print(try report.output(json: json, model: config.name, hardware: profile.name))
    }
}

extension TransformerShape {
    /// The cost model's view of a Hugging Face config.
    init(_ config: TransformerConfig) {
        let gated = config.family == .llama
        self.init(name: config.name, layers: config.layers, hidden: config.hiddenSize, ffn: config.ffnSize,
                  heads: config.heads, kvHeads: config.kvHeads, vocabulary: config.vocabSize,
                  gatedFFN: gated, biases: !gated, positions: config.family == .opt ? config.maxPositions ?? 0 : 0,
                  tiedEmbeddings: config.tiedEmbeddings)
    }

    /// The config key a shape field is read from.
    static func configKey(_ field: String) -> String {
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

/// What `stowage offload` prints (Schemas/offload-report.schema.json).
struct OffloadReport: Encodable {
    /// The format's version: bumped when a key changes meaning or goes away.
    let version = 1
    let throughput: Double
    let gbs, nb: Int
    let wg, wc, wn, cg, cc, cn, hg, hc, hn: Double
    let prefillSeconds, decodeSeconds: Double
    let gpuPeakBytes, cpuPeakBytes, diskPeakBytes: Double
    let lpSolves: Int
    var seconds: Double
    var timedOut: Bool?
    /// Exact mode: the continuous relaxation's throughput (best LP over the
    /// visited shapes), the best throughput any whole-tensor placement of a
    /// visited shape can reach (MILP bounds), MILPs solved, whether the LP
    /// bounds closed, the tiers and the placement.
    var relaxedThroughput: Double?
    var bound: Double?
    var milpSolves: Int?
    var proven: Bool?
    var tiers: [String]?
    var peakBytes: [Double]?
    var bottlenecks: [String]?
    /// Busy seconds per resource over the block: the cost model's (exact mode) and the simulation's.
    var busySeconds: [String: Double]?
    var simulatedBusySeconds: [String: Double]?
    var placement: PlacementJSON?
    /// The block simulation (exact mode, or --simulate): throughput, the
    /// two phases' seconds and the peaks over time.
    var simulatedThroughput: Double?
    var simulatedPrefillSeconds: Double?
    var simulatedDecodeSeconds: Double?
    var simulatedGpuPeakBytes: Double?
    var simulatedCpuPeakBytes: Double?
    var simulatedPeakBytes: [Double]?

    /// A per-layer placement: counts per tier, and every layer's tiers.
    struct PlacementJSON: Encodable {
        let tiers: [String]
        /// Layers keeping each weight tensor on each tier.
        let weightCounts: [String: [Int]]
        /// (layer, KV head, GPU batch) cache units on each tier.
        let cacheUnits: [Int]
        /// Sequences of each GPU batch whose hidden states live on each tier, in the prefill and while decoding.
        let hiddenSequences: [Int]
        let decodeHiddenSequences: [Int]
        let layers: [Layer]

        struct Layer: Encodable {
            /// Tier of each weight tensor, by name.
            let weights: [String: String]
            /// (KV head, GPU batch) units of the layer's cache on each tier.
            let cacheUnits: [Int]
        }
    }

    init(estimate: OffloadEstimate, lpSolves: Int, seconds: Double) {
        let p = estimate.policy
        throughput = estimate.throughput
        gbs = p.gbs; nb = p.nb
        wg = p.wg; wc = p.wc; wn = p.wn; cg = p.cg; cc = p.cc; cn = p.cn; hg = p.hg; hc = p.hc; hn = p.hn
        prefillSeconds = estimate.prefillSeconds
        decodeSeconds = estimate.decodeSeconds
        gpuPeakBytes = estimate.gpuPeakBytes.rounded()
        cpuPeakBytes = estimate.cpuPeakBytes.rounded()
        diskPeakBytes = estimate.diskPeakBytes.rounded()
        self.lpSolves = lpSolves
        self.seconds = seconds
    }

    /// Exact mode. The FlexGen-style shares lump every tier beyond the host into "disk" (n).
    init(placement best: PlacementSearch.Placement, sizes: LayerSizes, outcome: PlacementSearch.Outcome, seconds: Double) {
        let counts = best.counts
        let layers = Double(best.layers.layers)
        let wi = sizes.weightBytes * layers
        func weightShare(_ tiers: ClosedRange<Int>) -> Double {
            zip(sizes.tensors, counts.weights).reduce(0) { sum, pair in
                sum + pair.0.bytes * Double(tiers.reduce(0) { $0 + ($1 < pair.1.count ? pair.1[$1] : 0) })
            } / wi
        }
        func share(_ values: [Int], _ tiers: ClosedRange<Int>) -> Double {
            let total = Double(values.reduce(0, +))
            return total > 0 ? Double(tiers.reduce(0) { $0 + ($1 < values.count ? values[$1] : 0) }) / total : 0
        }
        let K = counts.cache.count
        let deep = 2 ... max(2, K - 1)
        throughput = best.throughput
        gbs = best.gbs; nb = best.nb
        wg = weightShare(0 ... 0); wc = weightShare(1 ... 1); wn = K > 2 ? weightShare(deep) : 0
        cg = share(counts.cache, 0 ... 0); cc = share(counts.cache, 1 ... 1); cn = K > 2 ? share(counts.cache, deep) : 0
        hg = share(counts.hidden, 0 ... 0); hc = share(counts.hidden, 1 ... 1); hn = K > 2 ? share(counts.hidden, deep) : 0
        prefillSeconds = best.prefillSeconds
        decodeSeconds = best.decodeSeconds
        gpuPeakBytes = best.peakBytes[0].rounded()
        cpuPeakBytes = best.peakBytes[1].rounded()
        diskPeakBytes = K > 2 ? best.peakBytes[2...].reduce(0, +).rounded() : 0
        lpSolves = outcome.lpSolves
        self.seconds = seconds
        timedOut = outcome.timedOut ? true : nil
        relaxedThroughput = outcome.relaxed?.throughput
        bound = outcome.bound
        milpSolves = outcome.milpSolves
        proven = outcome.proven
        tiers = best.layers.tiers
        peakBytes = best.peakBytes.map { $0.rounded() }
        bottlenecks = best.bottlenecks
        busySeconds = best.busy
        let names = best.layers.tiers
        var weightCounts: [String: [Int]] = [:]
        for (tensor, row) in zip(sizes.tensors, counts.weights) { weightCounts[tensor.name] = row }
        placement = PlacementJSON(
            tiers: names, weightCounts: weightCounts, cacheUnits: counts.cache, hiddenSequences: counts.hidden,
            decodeHiddenSequences: counts.decodeHidden,
            layers: zip(best.layers.weights, best.layers.cacheUnits).map { weights, units in
                var byName: [String: String] = [:]
                for (t, k) in weights.enumerated() { byName[sizes.tensors[t].name] = names[k] }
                return PlacementJSON.Layer(weights: byName, cacheUnits: units)
            })
    }

    mutating func attach(_ sim: SimulatedPolicy) {
        simulatedThroughput = sim.throughput
        simulatedPrefillSeconds = sim.prefillSeconds
        simulatedDecodeSeconds = sim.decodeSeconds
        simulatedGpuPeakBytes = sim.gpuPeakBytes.rounded()
        simulatedCpuPeakBytes = sim.cpuPeakBytes.rounded()
        simulatedPeakBytes = sim.peakBytes.map { $0.rounded() }
        simulatedBusySeconds = sim.busy
        if tiers == nil { tiers = sim.tiers }
    }

    /// One JSON object; every figure in it is finite (a report with a
    /// non-finite figure is an answer Stowage cannot stand by: exit 1).
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        } catch {
            throw CommandFailure.noAnswer("the report holds a figure that is not a finite number (\(error)); no answer is printed")
        }
    }

    /// Text or JSON, after checking that the figures are finite.
    func output(json: Bool, model: String, hardware: String) throws -> String {
        let figures = [throughput, prefillSeconds, decodeSeconds, gpuPeakBytes, cpuPeakBytes, diskPeakBytes]
            + [relaxedThroughput, bound, simulatedThroughput, simulatedPrefillSeconds, simulatedDecodeSeconds].compactMap { $0 }
        guard figures.allSatisfy(\.isFinite) else {
            throw CommandFailure.noAnswer("\(model) on \(hardware): the answer holds a figure that is not a finite number; no answer is printed")
        }
        return json ? try self.json() : text(model: model, hardware: hardware)
    }

    func text(model: String, hardware: String) -> String {
        func pct(_ x: Double) -> String { String(format: "%5.1f%%", x * 100) }
        func gib(_ x: Double) -> String { String(format: "%.2f GiB", x / Double(1 << 30)) }
        var lines = """
            \(model) on \(hardware): \(String(format: "%.4g", throughput)) token/s at gbs \(gbs), nb \(nb) (block of \(gbs * nb) sequences)
                         GPU     CPU     disk
            weights    \(pct(wg))  \(pct(wc))  \(pct(wn))
            KV cache   \(pct(cg))  \(pct(cc))  \(pct(cn))
            activation \(pct(hg))  \(pct(hc))  \(pct(hn))
            prefill \(String(format: "%.2f", prefillSeconds)) s, decode \(String(format: "%.2f", decodeSeconds)) s
            """
        if let tiers, let peakBytes {
            lines += "\npeak: " + zip(tiers, peakBytes).map { "\($0) \(gib($1))" }.joined(separator: ", ")
        } else {
            lines += "\npeak: GPU \(gib(gpuPeakBytes)), CPU \(gib(cpuPeakBytes)), disk \(gib(diskPeakBytes))"
        }
        lines += "\n\(lpSolves) LP solves\(milpSolves.map { ", \($0) MILP solves" } ?? "") in \(String(format: "%.1f", seconds * 1000)) ms"
        if timedOut == true { lines += " (time limit reached: the best found so far)" }
        if let simulatedThroughput, let tiers, let simulatedPeakBytes {
            lines += "\nsimulated block: \(String(format: "%.4g", simulatedThroughput)) token/s, peak "
                + zip(tiers, simulatedPeakBytes).map { "\($0) \(gib($1))" }.joined(separator: ", ")
        }
        guard let placement else { return lines }
        if let relaxedThroughput {
            let gap = relaxedThroughput > 0 ? (relaxedThroughput - throughput) / relaxedThroughput * 100 : 0
            lines += "\ncontinuous relaxation: \(String(format: "%.4g", relaxedThroughput)) token/s (whole tensors \(String(format: "%.2f", gap))% lower)"
            if let bound { lines += "; no whole-tensor placement of the shapes visited exceeds \(String(format: "%.4g", bound)) token/s" }
            if proven == false { lines += "; the search stopped before its bounds closed" }
        }
        if let bottlenecks { lines += "\nbusiest: prefill \(bottlenecks[0])" + (bottlenecks.count > 1 ? ", decode " + bottlenecks.dropFirst().joined(separator: " / ") : "") }
        for (tensor, row) in placement.weightCounts.sorted(by: { $0.key < $1.key }) {
            lines += "\n\(tensor): " + zip(placement.tiers, row).filter { $0.1 > 0 }.map { "\($0.0) in \($0.1) layers" }.joined(separator: ", ")
        }
        lines += "\nKV-cache units (layer × head × GPU batch) per tier: " + zip(placement.tiers, placement.cacheUnits).map { "\($0) \($1)" }.joined(separator: ", ")
        lines += "; hidden sequences per tier (prefill / decode): " + zip(placement.tiers, zip(placement.hiddenSequences, placement.decodeHiddenSequences))
            .map { "\($0) \($1.0)/\($1.1)" }.joined(separator: ", ")
        return lines
    }
}
