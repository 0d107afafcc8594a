import Foundation

/// One point of an experiment's cross product: what a single child
/// `stowage` process is asked to do. Its `key` identifies the run across
/// reruns, shards and merges, so it contains every input that changes the
/// answer and nothing else (not the time limit: a rerun with a longer limit
/// is the same question asked more patiently).
struct BenchRun: Equatable, Sendable {
    var kind: BenchExperiment.Kind
    var model: String
    var budget: String?
    var method: String
    var solver: String?
    var dtypeBytes: Int?
    /// Values of symbolic dimensions (`--dim`), the same for every run of an experiment.
    var dims: [String: Int] = [:]
    var hardware: String?
    var gpuMem: String?
    var cpuMem: String?
    var disk: String?
    var prompt: Int?
    var gen: Int?
    var repeatIndex: Int

    /// `field=value` pairs joined by `|`, in a fixed order; absent fields are left out.
    var key: String {
        var parts = ["kind=\(kind.rawValue)", "model=\(model)"]
        func add(_ name: String, _ value: CustomStringConvertible?) {
            if let value { parts.append("\(name)=\(value)") }
        }
        add("budget", budget)
        add("method", method)
        add("solver", solver)
        add("dtypeBytes", dtypeBytes)
        if !dims.isEmpty { add("dims", dims.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")) }
        add("hardware", hardware)
        add("gpuMem", gpuMem)
        add("cpuMem", cpuMem)
        add("disk", disk)
        add("prompt", prompt)
        add("gen", gen)
        parts.append("repeat=\(repeatIndex)")
        return parts.joined(separator: "|")
    }

    /// A short human label for progress lines.
    var label: String {
        let file = (model as NSString).lastPathComponent
        switch kind {
        case .scratchpad:
            return [file, budget ?? "", method, solver ?? ""].filter { !$0.isEmpty }.joined(separator: " ") + " #\(repeatIndex)"
        case .offload:
            return [file, hardware ?? "", gpuMem.map { "gpu \($0)" } ?? ""].filter { !$0.isEmpty }.joined(separator: " ") + " #\(repeatIndex)"
        case .schedule:
            return [file, "schedule", method, solver ?? ""].filter { !$0.isEmpty }.joined(separator: " ") + " #\(repeatIndex)"
        }
    }

    /// The arguments of the child `stowage` process.
    func arguments(timeLimit: Double?) -> [String] {
        switch kind {
        case .scratchpad:
            switch method {
            case "test-sleep": return ["bench", "test-sleep", "3600"]
            case "test-crash": return ["bench", "test-crash"]
            default: break
            }
            var arguments = ["plan", model, "--scratchpad", budget ?? "M_P", "--json", "--quiet"]
            switch method {
            case "ilp", "ilp-free":
                arguments += ["--method", "ilp", "--solver", solver ?? "cbc"]
                if method == "ilp-free" { arguments += ["--schedule", "free"] }
                if let timeLimit { arguments += ["--time-limit", String(timeLimit)] }
            case "lru": arguments += ["--method", "baseline", "--policy", "lru"]
            default: arguments += ["--method", "baseline", "--policy", "belady"]
            }
            if let dtypeBytes { arguments += ["--dtype-bytes", String(dtypeBytes)] }
            for (name, value) in dims.sorted(by: { $0.key < $1.key }) { arguments += ["--dim", "\(name)=\(value)"] }
            return arguments
        case .schedule:
            var arguments = ["schedule", model, "--json", "--quiet", "--method", method]
            if let solver { arguments += ["--solver", solver] }
            if let timeLimit { arguments += ["--time-limit", String(timeLimit)] }
            if let dtypeBytes { arguments += ["--dtype-bytes", String(dtypeBytes)] }
            for (name, value) in dims.sorted(by: { $0.key < $1.key }) { arguments += ["--dim", "\(name)=\(value)"] }
            return arguments
        case .offload:
            var arguments = ["offload", "--model", model, "--hardware", hardware ?? "t4", "--json"]
            if let gpuMem { arguments += ["--gpu-mem", gpuMem] }
            if let cpuMem { arguments += ["--cpu-mem", cpuMem] }
            if let disk { arguments += ["--disk", disk] }
            if let prompt { arguments += ["--prompt", String(prompt)] }
            if let gen { arguments += ["--gen", String(gen)] }
            return arguments
        }
    }
}

/// `I/N`: the I-th (from 0) of N disjoint slices of an experiment's runs.
struct BenchShard: Equatable, Sendable {
    var index: Int
    var count: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, (0 ..< count).contains(index) else {
            return nil
        }
        self.index = index
        self.count = count
    }

    init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// The shard of a Slurm job array task, if this process is one:
    /// `SLURM_ARRAY_TASK_ID` counted from `SLURM_ARRAY_TASK_MIN` (0 if unset)
    /// out of `SLURM_ARRAY_TASK_COUNT`.
    static func fromSlurm(_ environment: [String: String]) -> BenchShard? {
        guard let id = environment["SLURM_ARRAY_TASK_ID"].flatMap({ Int($0) }),
              let count = environment["SLURM_ARRAY_TASK_COUNT"].flatMap({ Int($0) }), count >= 1 else { return nil }
        let minimum = environment["SLURM_ARRAY_TASK_MIN"].flatMap { Int($0) } ?? 0
        let index = id - minimum
        guard (0 ..< count).contains(index) else { return nil }
        return BenchShard(index: index, count: count)
    }

    /// The runs of this shard. Runs are dealt out by expected cost, the
    /// dearest first, each to the shard with the least expected work so far
    /// (ties to the lower index), so every shard gets a similar share of
    /// the slow runs (ILPs up to their time limit) and a mix of methods;
    /// round-robin over sorted keys gave one shard all 33 ILP runs of an
    /// experiment. Deterministic: every shard computes the same split on
    /// its own. O(runs · (log runs + shards)).
    func select(_ runs: [BenchRun], timeLimit: Double? = nil) -> [BenchRun] {
        let ranked = runs.enumerated().sorted { a, b in
            let (ca, cb) = (a.element.expectedCost(timeLimit: timeLimit), b.element.expectedCost(timeLimit: timeLimit))
            return ca != cb ? ca > cb : a.element.key < b.element.key
        }
        var load = [Double](repeating: 0, count: count)
        var mine: [Int] = []
        for (position, run) in ranked {
            var target = 0
            for shard in 1 ..< count where load[shard] < load[target] { target = shard }
            load[target] += run.expectedCost(timeLimit: timeLimit)
            if target == index { mine.append(position) }
        }
        return mine.sorted().map { runs[$0] }
    }
}

extension BenchRun {
    /// A rough guess of a run's seconds, for balancing shards: ILPs may run
    /// to their time limit (the order-free one for all of it, the
    /// fixed-order one for a fraction), heuristics and offload searches take
    /// about a second with the import.
    func expectedCost(timeLimit: Double?) -> Double {
        let limit = timeLimit ?? 60
        switch method {
        case "ilp-free": return 1 + limit
        case "ilp": return 1 + limit / 4
        default: return 1
        }
    }
}
