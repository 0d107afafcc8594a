import Foundation
import Units
#if canImport(Glibc)
import Glibc
#endif

/// An experiment file for `stowage bench`: the lists whose cross product is
/// run. Read by hand from `JSONSerialization` rather than `Decodable`, so
/// that every error can name the file and the key, and unknown keys (typos)
/// are refused instead of silently ignored.
struct BenchExperiment: Equatable {
    enum Kind: String { case scratchpad, offload, schedule, remat }

    var kind: Kind
    /// Model files after glob expansion, in the order written (globs sorted).
    var models: [String]
    /// Scratchpad experiments.
    var budgets: [String] = []
    var methods: [String] = []
    var solvers: [String] = []
    var dtypeBytes: Int?
    /// Values of symbolic dimensions, passed to every run as `--dim NAME=VALUE`.
    var dims: [String: Int] = [:]
    /// Offload experiments.
    var hardware: [String] = []
    var gpuMem: [String?] = [nil]
    var cpuMem: [String?] = [nil]
    var disk: [String?] = [nil]
    var prompt: [Int] = [512]
    var gen: [Int] = [32]
    /// Seconds a solver may take; the ILP is told this limit.
    var timeLimit: Double?
    /// Extra seconds a child process may take beyond `timeLimit` (import,
    /// verification) before it is terminated and recorded as a timeout.
    var slack: Double = 30
    var repeatCount: Int = 1

    /// Methods `stowage bench` knows. `baseline` is Belady's replacement.
    /// `ilp` keeps the file's order, `ilp-free` chooses the order too.
    static let scratchpadMethods = ["baseline", "belady", "lru", "ilp", "ilp-free"]
    /// Hidden methods the test suite uses to exercise hangs and crashes;
    /// accepted only when `STOWAGE_BENCH_TESTING=1`.
    static let testMethods = ["test-sleep", "test-crash"]
    static let solverNames = ["cbc", "glpk"]
    /// `stowage schedule --method`; the ILP ones run once per solver.
    static let scheduleMethods = ["auto", "dp", "ilp", "heuristic"]

    /// `stowage remat`'s methods; `auto`, `exact`, `checkmate` and `lp` take a solver.
    static let rematMethods = ["auto", "exact", "checkmate", "lp", "chen", "torch-knapsack", "greedy", "griewank", "keep-all"]
    /// Whether a scratchpad or remat method runs once per solver.
    static func usesSolver(_ method: String, kind: Kind) -> Bool {
        kind == .remat ? ["auto", "exact", "checkmate", "lp"].contains(method) : method.hasPrefix("ilp")
    }

    private static let scratchpadKeys: Set<String> = ["version", "kind", "models", "budgets", "methods", "solvers", "timeLimit", "slack", "repeat", "dtypeBytes", "dims", "description"]
    private static let scheduleKeys: Set<String> = ["version", "kind", "models", "methods", "solvers", "timeLimit", "slack", "repeat", "dtypeBytes", "dims", "description"]
    private static let rematKeys: Set<String> = ["version", "kind", "models", "budgets", "methods", "solvers", "timeLimit", "slack", "repeat", "description"]
    private static let offloadKeys: Set<String> = ["version", "kind", "models", "hardware", "gpuMem", "cpuMem", "disk", "prompt", "gen", "timeLimit", "slack", "repeat", "description"]

    /// The seconds after which a child is terminated.
    var wallLimit: Double { (timeLimit ?? 0) + slack }

    static func load(_ path: String) throws -> BenchExperiment {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure.badInput("\(path): no such experiment file")
        }
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw CommandFailure.badInput("\(path): an experiment is a JSON object")
            }
            object = parsed
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure.badInput("\(path): invalid JSON (\(error.localizedDescription))")
        }
        return try parse(object, file: path)
    }

    static func parse(_ object: [String: Any], file: String) throws -> BenchExperiment {
        let fields = Fields(object: object, file: file)
        let kindName = try fields.string("kind") ?? "scratchpad"
        guard let kind = Kind(rawValue: kindName) else {
            throw fields.failure("kind", "must be \"scratchpad\", \"offload\", \"schedule\" or \"remat\", got \"\(kindName)\"")
        }
        let allowed: Set<String>
        switch kind {
        case .scratchpad: allowed = scratchpadKeys
        case .schedule: allowed = scheduleKeys
        case .remat: allowed = rematKeys
        case .offload: allowed = offloadKeys
        }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw fields.failure(unknown, "unknown key for a \(kind.rawValue) experiment (known: \(allowed.sorted().joined(separator: ", ")))")
        }
        if let version = try fields.integer("version"), version != 1 {
            throw fields.failure("version", "this Stowage reads experiment files of version 1, got \(version)")
        }
        guard let patterns = try fields.strings("models"), !patterns.isEmpty else {
            throw fields.failure("models", "a non-empty list of model paths or globs is required")
        }
        var models: [String] = []
        for pattern in patterns {
            let matches = expand(pattern)
            if matches.isEmpty { throw fields.failure("models", "\"\(pattern)\" matches no file (paths are relative to the working directory)") }
            for match in matches where !models.contains(match) { models.append(match) }
        }
        var experiment = BenchExperiment(kind: kind, models: models)
        experiment.timeLimit = try fields.number("timeLimit")
        if let limit = experiment.timeLimit, !(limit > 0) || limit > 1e7 {
            throw fields.failure("timeLimit", "must be a positive number of seconds (at most 10^7)")
        }
        if let slack = try fields.number("slack") {
            guard slack >= 0, slack <= 1e7 else { throw fields.failure("slack", "must be between 0 and 10^7 seconds") }
            experiment.slack = slack
        }
        if let count = try fields.integer("repeat") {
            guard (1 ... maxRepeat).contains(count) else { throw fields.failure("repeat", "must be between 1 and \(maxRepeat)") }
            experiment.repeatCount = count
        }
        let testing = ProcessInfo.processInfo.environment["STOWAGE_BENCH_TESTING"] == "1"
        switch kind {
        case .scratchpad, .schedule:
            if kind == .scratchpad {
                guard let budgets = try fields.strings("budgets"), !budgets.isEmpty else {
                    throw fields.failure("budgets", "a non-empty list such as [\"M_R\", \"M_H\", \"M_P\", \"2MiB\"] is required")
                }
                for budget in budgets where !["M_R", "M_H", "M_P"].contains(budget) {
                    do {
                        guard try Units.ByteCount.parse(budget) >= 1 else { throw fields.failure("budgets", "\"\(budget)\": must be at least 1 byte") }
                    } catch let error as Units.ByteCount.ParseError {
                        throw fields.failure("budgets", "\(error.description), nor one of M_R, M_H, M_P")
                    }
                }
                experiment.budgets = budgets
            }
            let listed = kind == .scratchpad ? scratchpadMethods : scheduleMethods
            experiment.methods = try fields.choices("methods", "method", default: [kind == .scratchpad ? "baseline" : "auto"],
                                                    known: listed + (testing && kind == .scratchpad ? testMethods : []), shown: listed)
            experiment.solvers = try fields.choices("solvers", "solver", default: ["cbc"], known: solverNames, shown: solverNames)
            experiment.dtypeBytes = try fields.integer("dtypeBytes")
            if let bytes = experiment.dtypeBytes, !(1 ... 16).contains(bytes) { throw fields.failure("dtypeBytes", "must be between 1 and 16") }
            if let value = object["dims"] {
                guard let members = value as? [String: Any] else { throw fields.failure("dims", "must be an object of names to integers, e.g. {\"batch\": 1}") }
                for (name, member) in members {
                    guard !name.isEmpty, let number = member as? NSNumber, number.doubleValue.rounded() == number.doubleValue,
                          (0 ... Double(1 << 40)).contains(number.doubleValue) else {
                        throw fields.failure("dims", "\"\(name)\" must be an integer between 0 and 2^40")
                    }
                    experiment.dims[name] = number.intValue
                }
            }
        case .remat:
            guard let budgets = try fields.strings("budgets"), !budgets.isEmpty else {
                throw fields.failure("budgets", "a non-empty list such as [\"0.9\", \"0.7\", \"2GiB\"] is required")
            }
            for budget in budgets {
                let trimmed = budget.trimmingCharacters(in: .whitespaces)
                if trimmed.contains("."), trimmed.allSatisfy({ $0.isNumber || $0 == "." }), let value = Double(trimmed) {
                    guard value > 0, value <= 1 else { throw fields.failure("budgets", "\"\(budget)\": a fraction must be in (0, 1]") }
                    continue
                }
                do {
                    guard try Units.ByteCount.parse(budget) >= 1 else { throw fields.failure("budgets", "\"\(budget)\": must be at least 1 byte") }
                } catch let error as Units.ByteCount.ParseError {
                    throw fields.failure("budgets", "\(error.description), nor a fraction such as 0.7")
                }
            }
            experiment.budgets = budgets
            experiment.methods = try fields.choices("methods", "method", default: ["auto"], known: rematMethods, shown: rematMethods)
            experiment.solvers = try fields.choices("solvers", "solver", default: ["cbc"], known: solverNames, shown: solverNames)
        case .offload:
            experiment.hardware = try fields.strings("hardware") ?? ["t4"]
            guard !experiment.hardware.isEmpty else { throw fields.failure("hardware", "must not be empty") }
            for key in ["gpuMem", "cpuMem", "disk"] {
                guard let sizes = try fields.strings(key) else { continue }
                guard !sizes.isEmpty else { throw fields.failure(key, "must not be empty (leave it out for the profile's size)") }
                for size in sizes {
                    do {
                        _ = try Units.ByteCount.parse(size)
                    } catch {
                        throw fields.failure(key, error.description)
                    }
                }
                switch key {
                case "gpuMem": experiment.gpuMem = sizes
                case "cpuMem": experiment.cpuMem = sizes
                default: experiment.disk = sizes
                }
            }
            for key in ["prompt", "gen"] {
                guard let values = try fields.integers(key) else { continue }
                guard !values.isEmpty, values.allSatisfy({ $0 > 0 }) else { throw fields.failure(key, "must be positive integers") }
                if key == "prompt" { experiment.prompt = values } else { experiment.gen = values }
            }
        }
        let total = experiment.crossProductSize
        guard total <= Double(maxRuns) else {
            throw fields.failure("models", "the experiment has \(total > 1e15 ? "more than 10^15" : String(Int(total))) runs; at most \(maxRuns) are allowed (split it into several files)")
        }
        return experiment
    }

    /// The most runs one experiment may have, and the most repeats: the
    /// cross product is enumerated in memory, so its size is refused up front.
    static let maxRuns = 100_000
    static let maxRepeat = 1_000

    /// The number of runs ``runs()`` would make (before duplicates are
    /// dropped), as a Double so that it cannot overflow. O(1).
    var crossProductSize: Double {
        var count = Double(models.count) * Double(repeatCount)
        switch kind {
        case .scratchpad, .remat:
            let ilp = Double(methods.filter { Self.usesSolver($0, kind: kind) }.count), other = Double(methods.count) - ilp
            count *= Double(budgets.count) * (ilp * Double(solvers.count) + other)
        case .schedule:
            let ilp = Double(methods.filter { ["auto", "ilp"].contains($0) }.count), other = Double(methods.count) - ilp
            count *= ilp * Double(solvers.count) + other
        case .offload:
            count *= Double(hardware.count * gpuMem.count * cpuMem.count * disk.count * prompt.count * gen.count)
        }
        return count
    }

    /// Every run of the cross product, sorted by key so shards are stable.
    func runs() -> [BenchRun] {
        var result: [BenchRun] = []
        for model in models {
            for index in 0 ..< repeatCount {
                switch kind {
                case .scratchpad, .remat:
                    for budget in budgets {
                        for method in methods {
                            let normalised = method == "belady" && kind == .scratchpad ? "baseline" : method
                            for solver in (Self.usesSolver(normalised, kind: kind) ? solvers.map(Optional.some) : [String?.none]) {
                                result.append(BenchRun(kind: kind, model: model, budget: budget, method: normalised,
                                                       solver: solver, dtypeBytes: dtypeBytes, dims: dims, repeatIndex: index))
                            }
                        }
                    }
                case .schedule:
                    for method in methods {
                        for solver in (["auto", "ilp"].contains(method) ? solvers.map(Optional.some) : [String?.none]) {
                            result.append(BenchRun(kind: .schedule, model: model, method: method, solver: solver,
                                                   dtypeBytes: dtypeBytes, dims: dims, repeatIndex: index))
                        }
                    }
                case .offload:
                    for profile in hardware {
                        for gpu in gpuMem {
                            for cpu in cpuMem {
                                for diskSize in disk {
                                    for p in prompt {
                                        for g in gen {
                                            result.append(BenchRun(kind: .offload, model: model, method: "flexgen", hardware: profile,
                                                                   gpuMem: gpu, cpuMem: cpu, disk: diskSize, prompt: p, gen: g, repeatIndex: index))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var seen = Set<String>()
        return result.filter { seen.insert($0.key).inserted }.sorted { $0.key < $1.key }
    }

    /// A path, or the sorted matches of a glob pattern.
    static func expand(_ pattern: String) -> [String] {
        guard pattern.contains(where: { "*?[".contains($0) }) else {
            return FileManager.default.fileExists(atPath: pattern) ? [pattern] : []
        }
        var matches = glob_t()
        defer { globfree(&matches) }
        guard glob(pattern, 0, nil, &matches) == 0 else { return [] }
        return (0 ..< Int(matches.gl_pathc)).compactMap { matches.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }
}

/// Typed access to an experiment's JSON fields, with errors naming file and key.
private struct Fields {
    let object: [String: Any]
    let file: String

    func failure(_ key: String, _ problem: String) -> CommandFailure {
        CommandFailure.badInput("\(file): \"\(key)\": \(problem)")
    }

    func string(_ key: String) throws -> String? {
        guard let value = object[key] else { return nil }
        guard let text = value as? String else { throw failure(key, "must be a string") }
        return text
    }

    /// A list of strings; a single string counts as a list of one.
    /// A non-empty list of names from `known` (`default` when absent);
    /// an unknown one is named with the list `shown`.
    func choices(_ key: String, _ noun: String, default fallback: [String], known: [String], shown: [String]) throws -> [String] {
        let values = try strings(key) ?? fallback
        if let bad = values.first(where: { !known.contains($0) }) {
            throw failure(key, "unknown \(noun) \"\(bad)\" (known: \(shown.joined(separator: ", ")))")
        }
        guard !values.isEmpty else { throw failure(key, "must not be empty") }
        return values
    }

    func strings(_ key: String) throws -> [String]? {
        guard let value = object[key] else { return nil }
        if let text = value as? String { return [text] }
        guard let list = value as? [Any], let texts = list as? [String] else { throw failure(key, "must be a list of strings") }
        return texts
    }

    func number(_ key: String) throws -> Double? {
        guard let value = object[key] else { return nil }
        guard let number = value as? NSNumber else { throw failure(key, "must be a number") }
        return number.doubleValue
    }

    func integer(_ key: String) throws -> Int? {
        guard let value = try number(key) else { return nil }
        guard value.rounded() == value, abs(value) < 1e15 else { throw failure(key, "must be an integer") }
        return Int(value)
    }

    /// A list of integers; a single integer counts as a list of one.
    func integers(_ key: String) throws -> [Int]? {
        guard let value = object[key] else { return nil }
        if value is NSNumber { return try integer(key).map { [$0] } }
        guard let list = value as? [Any] else { throw failure(key, "must be an integer or a list of integers") }
        return try list.map { item in
            guard let number = item as? NSNumber, number.doubleValue.rounded() == number.doubleValue, abs(number.doubleValue) < 1e15 else {
                throw failure(key, "must be an integer or a list of integers")
            }
            return number.intValue
        }
    }
}
