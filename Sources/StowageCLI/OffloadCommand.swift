import ArgumentParser
import Foundation
import MILP
import ModelImport
import Offload

/// `stowage offload`: FlexGen-style placement of an LLM's weights, KV cache
/// and activations over GPU, CPU and disk.
struct OffloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offload",
        abstract: "Choose how an LLM's weights, KV cache and activations are spread over GPU, CPU and disk.",
        discussion: """
            Without --gbs/--nb, runs FlexGen's policy search (an LP per batch \
            shape, capacities scaled by α = 0.8). With --gbs and --nb, solves \
            that shape only; adding --percent evaluates that fixed policy \
            (α = 1.2, as FlexGen does). Sizes: 16GB = 16·2^30 bytes. \
            --mode exact counts bytes from the architecture (Llama/Mistral: \
            gated FFN, grouped-query attention) and places whole tensors \
            with a MILP per batch shape, reporting the continuous \
            relaxation's throughput next to it. `stowage offload calibrate` \
            fits a profile's constants to measured timings.
            """,
        subcommands: [OffloadCalibrateCommand.self]
    )

    /// Optional only so that `stowage offload calibrate` parses without it; `run` requires it.
    @Option(help: "A Hugging Face config.json (OPT, Llama, Mistral). Required.")
    var model: String?

    @Option(help: "A hardware profile: a JSON file, or a built-in name (\(HardwareProfile.builtIn.keys.sorted().joined(separator: ", "))).")
    var hardware: String = "t4"

    @Option(help: "Prompt length s.")
    var prompt: Int = 512

    @Option(help: "Generated tokens n.")
    var gen: Int = 32

    @Option(name: .customLong("gpu-mem"), help: "GPU memory (default: the profile's).")
    var gpuMemory: ByteSize?

    @Option(name: .customLong("cpu-mem"), help: "CPU memory (default: the profile's).")
    var cpuMemory: ByteSize?

    @Option(help: "Disk space (default: the profile's).")
    var disk: ByteSize?

    @Option(help: "GPU batch size.")
    var gbs: Int?

    @Option(help: "Number of GPU batches per block.")
    var nb: Int?

    @Option(parsing: .upToNextOption, help: "Fixed percentages WG WC CG CC HG HC (disk gets the rest).")
    var percent: [Double] = []

    @Option(help: "Relaxation α on every capacity (default 0.8 for a search, 1.2 for a fixed policy).")
    var alpha: Double?

    @Flag(name: .customLong("compress-weights"), help: "Weights compressed to 4 bits.")
    var compressWeights = false

    @Flag(name: .customLong("compress-cache"), help: "KV cache compressed to 4 bits (exact mode).")
    var compressCache = false

    @Option(help: "flexgen: reproduce FlexGen's policy search; exact: architecture byte counts and whole-tensor placement.")
    var mode: OffloadMode = .flexgen

    @Flag(help: "Simulate the FlexGen-rounded policy too (always done in exact mode); a policy whose simulated peaks break a capacity is rejected.")
    var simulate = false

    @Flag(help: "Print one JSON object.")
    var json = false

    enum OffloadMode: String, ExpressibleByArgument, CaseIterable {
        case flexgen, exact
    }

    func validate() throws {
        if prompt <= 0 || gen <= 0 { throw ValidationError("--prompt and --gen must be positive") }
        if let gbs, gbs <= 0 { throw ValidationError("--gbs must be positive") }
        if let nb, nb <= 0 { throw ValidationError("--nb must be positive") }
        if nb != nil && gbs == nil { throw ValidationError("--nb needs --gbs") }
        if !percent.isEmpty {
            guard PinnedFractions(percentages: percent) != nil else {
                throw ValidationError("--percent takes six percentages WG WC CG CC HG HC, each pair summing to at most 100")
            }
            guard gbs != nil, nb != nil else { throw ValidationError("--percent needs --gbs and --nb") }
        }
        if let alpha, !(alpha > 0) { throw ValidationError("--alpha must be positive") }
        if mode == .exact && !percent.isEmpty {
            throw ValidationError("--percent fixes fractions FlexGen's way; exact mode places whole tensors (drop --percent or use --mode flexgen)")
        }
        if mode == .flexgen && compressCache {
            throw ValidationError("--compress-cache needs --mode exact (FlexGen's LP does not model a compressed cache)")
        }
    }

    func run() throws {
        let clock = Stopwatch()
        guard let model else { throw CommandFailure.badInput("missing --model (a Hugging Face config.json)") }
        let config: TransformerConfig
        do {
            config = try TransformerConfig.load(contentsOf: model)
        } catch {
            throw CommandFailure.badInput(error.description)
        }
        let profile = try HardwareProfileFile.load(hardware)
        let shape = TransformerShape(config)
        if let problem = shape.validationError() { throw CommandFailure.badInput("\(model): \(problem)") }
        let pinned = percent.isEmpty ? nil : PinnedFractions(percentages: percent)
        let workload = OffloadWorkload(
            promptLength: prompt, generatedTokens: gen,
            gpuBytes: gpuMemory?.bytes ?? profile.gpuMemoryGB * Double(1 << 30),
            cpuBytes: cpuMemory?.bytes ?? profile.cpuMemoryGB * Double(1 << 30),
            diskBytes: disk?.bytes ?? profile.diskGB * Double(1 << 30),
            alpha: alpha ?? (pinned == nil ? 0.8 : 1.2), compressWeights: compressWeights
        )
        var search = PolicySearch(shape: shape, hardware: profile, workload: workload)
        if mode == .exact {
            search.sizes = .exact(shape, weights: compressWeights ? .int4 : .fp16, cache: compressCache ? .int4 : .fp16)
            return try runExact(search: search, config: config, profile: profile, clock: clock)
        }
        let estimate: OffloadEstimate?
        var solves = 1
        if let gbs, let nb {
            estimate = search.evaluate(gbs: gbs, nb: nb, pinned: pinned)
        } else {
            if let gbs { search.maximumBatchSize = gbs }
            let outcome = search.run()
            estimate = outcome.best
            solves = outcome.lpSolves
        }
        let seconds = clock.seconds
        guard let estimate else { throw doesNotFit(search: search, config: config, profile: profile, pinned: pinned) }
        var report = OffloadReport(estimate: estimate, lpSolves: solves, seconds: seconds)
        if simulate {
            let placement = search.flexGenPlacement(of: estimate.policy)
            try attachSimulation(&report, search: search, policy: estimate.policy, placement: placement,
                                 what: "FlexGen's rounding of the policy", config: config, profile: profile)
        }
        print(json ? report.json : report.text(model: config.name, hardware: profile.name))
    }

    /// Simulates `placement`, adds the figures to `report`, and exits 1 when
    /// the simulated peaks or the plan's verification break a capacity.
    func attachSimulation(_ report: inout OffloadReport, search: PolicySearch, policy: OffloadPolicy,
                          placement: WholeTensorPlacement, what: String, config: TransformerConfig,
                          profile: HardwareProfile) throws {
        let sim: SimulatedPolicy
        do {
            sim = try search.simulate(gbs: policy.gbs, nb: policy.nb, placement: placement)
        } catch {
            throw CommandFailure.noAnswer("\(config.name) on \(profile.name): could not build the block plan: \(error)")
        }
        report.simulatedThroughput = sim.throughput
        report.simulatedPrefillSeconds = sim.prefillSeconds
        report.simulatedDecodeSeconds = sim.decodeSeconds
        report.simulatedGpuPeakBytes = sim.gpuPeakBytes.rounded()
        report.simulatedCpuPeakBytes = sim.cpuPeakBytes.rounded()
        if !sim.violations.isEmpty || !sim.verifierFailures.isEmpty {
            let detail = sim.violations.map { "\($0.tier) over by \(ByteSize(bytes: $0.excessBytes))" } + sim.verifierFailures
            throw CommandFailure.noAnswer("\(config.name) on \(profile.name): \(what) (gbs \(policy.gbs), nb \(policy.nb)) "
                + "is rejected by the block simulation: " + detail.joined(separator: "; "))
        }
    }

    /// Exit 1 naming the short tier(s) at the smallest shape (or the one asked for).
    func doesNotFit(search: PolicySearch, config: TransformerConfig, profile: HardwareProfile,
                    pinned: PinnedFractions?) -> CommandFailure {
        let short = search.shortfall(gbs: gbs ?? 1, nb: nb ?? 1, pinned: pinned)
        let detail = short.map { "\($0.tier) short by \(ByteSize(bytes: $0.bytes))" }.joined(separator: ", ")
        return CommandFailure.noAnswer("\(config.name) does not fit on \(profile.name)"
            + (detail.isEmpty ? "" : ": \(detail)") + " (at gbs \(gbs ?? 1), nb \(nb ?? 1), α \(search.workload.alpha))")
    }

    /// `--mode exact`: the whole-tensor MILP at the given shape, or the
    /// LP-bounded search over FlexGen's shapes.
    func runExact(search: PolicySearch, config: TransformerConfig, profile: HardwareProfile, clock: Stopwatch) throws {
        var relaxation = search
        var exact = WholeTensorSearch(relaxation: relaxation)
        exact.simulationMustFit = true
        let best: WholeTensorSearch.Placement?
        let relaxed: OffloadEstimate?
        var lpSolves = 1, milpSolves = 1, proven = true
        if let gbs, let nb {
            best = exact.evaluate(gbs: gbs, nb: nb)
            relaxed = relaxation.evaluate(gbs: gbs, nb: nb, pinned: nil)
        } else {
            if let gbs { relaxation.maximumBatchSize = gbs }
            exact.relaxation = relaxation
            exact.simulationMustFit = true
            let outcome = exact.run()
            best = outcome.best
            relaxed = outcome.relaxed
            lpSolves = outcome.lpSolves
            milpSolves = outcome.milpSolves
            proven = outcome.proven
        }
        let seconds = clock.seconds
        guard let best else {
            if relaxed != nil {
                throw CommandFailure.noAnswer("\(config.name) on \(profile.name): no whole-tensor placement fits "
                    + "although a fractional one does (at gbs \(gbs ?? 1), nb \(nb ?? 1), α \(search.workload.alpha))")
            }
            throw doesNotFit(search: search, config: config, profile: profile, pinned: nil)
        }
        var report = OffloadReport(estimate: best.estimate, lpSolves: lpSolves, seconds: seconds)
        report.relaxedThroughput = relaxed?.throughput
        report.milpSolves = milpSolves
        report.proven = proven
        report.placement = best.placement
        try attachSimulation(&report, search: search, policy: best.estimate.policy, placement: best.placement,
                             what: "the whole-tensor placement", config: config, profile: profile)
        print(json ? report.json : report.text(model: config.name, hardware: profile.name))
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
}

/// Hardware profiles from JSON files, or built in by name.
enum HardwareProfileFile {
    static func load(_ nameOrPath: String) throws -> HardwareProfile {
        if let builtIn = HardwareProfile.builtIn[nameOrPath.lowercased()], !FileManager.default.fileExists(atPath: nameOrPath) {
            return builtIn
        }
        guard let data = FileManager.default.contents(atPath: nameOrPath) else {
            throw CommandFailure.badInput("\(nameOrPath): no such hardware profile (a JSON file, or a built-in name: "
                + HardwareProfile.builtIn.keys.sorted().joined(separator: ", ") + ")")
        }
        let profile: HardwareProfile
        do {
            profile = try JSONDecoder().decode(HardwareProfile.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw CommandFailure.badInput("\(nameOrPath): missing key \"\(key.stringValue)\"")
        } catch let DecodingError.typeMismatch(_, context) {
            throw CommandFailure.badInput("\(nameOrPath): \(context.codingPath.map(\.stringValue).joined(separator: ".")): wrong type")
        } catch {
            throw CommandFailure.badInput("\(nameOrPath): not a hardware profile (invalid JSON)")
        }
        if let problem = profile.validationError() { throw CommandFailure.badInput("\(nameOrPath): \(problem)") }
        return profile
    }
}

/// What `stowage offload` prints.
struct OffloadReport: Encodable {
    let throughput: Double
    let gbs, nb: Int
    let wg, wc, wn, cg, cc, cn, hg, hc, hn: Double
    let prefillSeconds, decodeSeconds: Double
    let gpuPeakBytes, cpuPeakBytes, diskPeakBytes: Double
    let lpSolves: Int
    let seconds: Double
    /// Exact mode: the continuous relaxation's throughput, MILPs solved,
    /// whether the LP bound closed, and the whole-tensor placement.
    var relaxedThroughput: Double?
    var milpSolves: Int?
    var proven: Bool?
    var placement: WholeTensorPlacement?
    /// The block simulation (exact mode, or --simulate): throughput, the
    /// two phases' seconds and the peaks over time.
    var simulatedThroughput: Double?
    var simulatedPrefillSeconds: Double?
    var simulatedDecodeSeconds: Double?
    var simulatedGpuPeakBytes: Double?
    var simulatedCpuPeakBytes: Double?

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

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    func text(model: String, hardware: String) -> String {
        func pct(_ x: Double) -> String { String(format: "%5.1f%%", x * 100) }
        func gb(_ x: Double) -> String { String(format: "%8.2f GB", x / Double(1 << 30)) }
        return """
            \(model) on \(hardware): \(String(format: "%.4g", throughput)) token/s at gbs \(gbs), nb \(nb) (block of \(gbs * nb) sequences)
                         GPU     CPU     disk
            weights    \(pct(wg))  \(pct(wc))  \(pct(wn))
            KV cache   \(pct(cg))  \(pct(cc))  \(pct(cn))
            activation \(pct(hg))  \(pct(hc))  \(pct(hn))
            prefill \(String(format: "%.2f", prefillSeconds)) s, decode \(String(format: "%.2f", decodeSeconds)) s
            peak: GPU \(gb(gpuPeakBytes)), CPU \(gb(cpuPeakBytes)), disk \(gb(diskPeakBytes))
            \(lpSolves) LP solves\(milpSolves.map { ", \($0) MILP solves" } ?? "") in \(String(format: "%.1f", seconds * 1000)) ms
            """ + exactLines
    }

    private var exactLines: String {
        var lines = ""
        if let simulatedThroughput, let simulatedGpuPeakBytes, let simulatedCpuPeakBytes {
            lines += "\nsimulated block: \(String(format: "%.4g", simulatedThroughput)) token/s, peak GPU "
                + String(format: "%.2f GB, CPU %.2f GB", simulatedGpuPeakBytes / Double(1 << 30), simulatedCpuPeakBytes / Double(1 << 30))
        }
        guard let placement else { return lines }
        if let relaxedThroughput {
            let gap = relaxedThroughput > 0 ? (relaxedThroughput - throughput) / relaxedThroughput * 100 : 0
            lines += "\ncontinuous relaxation: \(String(format: "%.4g", relaxedThroughput)) token/s (whole tensors \(String(format: "%.2f", gap))% lower)"
                + (proven == false ? "; MILP cap reached, optimality over shapes not proven" : "")
        }
        let byTier = Dictionary(grouping: placement.weights, by: \.tier)
        for tier in OffloadTier.allCases {
            if let tensors = byTier[tier] { lines += "\nweights on \(tier.rawValue): " + tensors.map(\.tensor).joined(separator: ", ") }
        }
        lines += "\nKV heads per tier (gpu/cpu/disk): " + placement.cacheUnits.map(String.init).joined(separator: "/")
        lines += "; hidden sequences (gpu/cpu): " + placement.activationSequences.map(String.init).joined(separator: "/")
        return lines
    }
}
