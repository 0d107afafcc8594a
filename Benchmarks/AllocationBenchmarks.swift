import Allocation
import Foundation

/// Fixed-lifetime allocation, in parts (`ALLOC_PARTS`, all by default):
/// - `guillotine`: problems at capacity = optimum: the share the exact
///   search fits within the per-problem limit, and how much higher greedy goes;
/// - `trace`: a 60,000-buffer transformer training trace: heuristic times
///   and the portfolio's height relative to the lower bound;
/// - `suite`: the production-like traces of ``AllocationTraces`` (10,000 to
///   200,000 buffers): lower bound, every greedy pass, the portfolio;
/// - `minimalloc`: minimalloc's eleven benchmark problems at their capacity;
/// - `limits`: wall time against the time limit, the cores kept busy.
///
/// Sized by environment variables: `ALLOC_GUILLOTINE` problems (50),
/// `ALLOC_LIMIT` seconds each (10, also per minimalloc problem),
/// `ALLOC_TRACE_MICROBATCHES` (57, i.e. ≈ 60,000 buffers),
/// `ALLOC_SUITE=llm-2.6b,…` and `ALLOC_SUITE_LIMIT` (10) for the suite,
/// `ALLOC_METHODS=0` to skip the per-method table. For comparing search
/// variants: `ALLOC_ONLY=7,39` runs just those guillotine problems,
/// `ALLOC_NODES=N` replaces the time limit by a node limit (results then
/// do not depend on the machine's load), `ALLOC_RESTART_UNIT=N` sets the
/// restart schedule's unit (``SearchOptions/firstRestartNodes``),
/// `ALLOC_SEARCH_SERIAL=1` runs the restarts on one thread (the default
/// is every core, ``SearchOptions/parallel``).
enum AllocationBenchmarks {
    static func run() {
        let environment = ProcessInfo.processInfo.environment
        let problems = environment["ALLOC_GUILLOTINE"].flatMap(Int.init) ?? 50
        let limit = environment["ALLOC_LIMIT"].flatMap(Double.init) ?? 10
        let microBatches = environment["ALLOC_TRACE_MICROBATCHES"].flatMap(Int.init) ?? 57
        if let directory = environment["ALLOC_WRITE_EXAMPLES"] {
            writeExamples(to: directory)
            return
        }
        // `ALLOC_PARTS=suite,guillotine`: only those parts.
        let parts = Set((environment["ALLOC_PARTS"] ?? "guillotine,trace,suite,minimalloc,limits").split(separator: ",").map(String.init))
        if parts.contains("guillotine") && problems > 0 { guillotine(count: problems, limit: limit) }
        if parts.contains("trace") && microBatches > 0 { trace(microBatches: microBatches) }
        if parts.contains("suite") {
            let only = environment["ALLOC_SUITE"].map { Set($0.split(separator: ",").map(String.init)) }
            suite(limit: environment["ALLOC_SUITE_LIMIT"].flatMap(Double.init) ?? 10, only: only)
        }
        if parts.contains("minimalloc") { minimalloc(limit: limit) }
        if parts.contains("limits") { AllocationLimits.run() }
    }

    /// The production-like suite (``AllocationTraces``): per trace, its
    /// shape, the lower bound, every greedy pass's height and time (the
    /// portfolio's members; `ALLOC_METHODS=0` skips them), and the
    /// portfolio's height, wall and CPU time within `limit` seconds.
    static func suite(limit: Double, only: Set<String>?) {
        let methods = ProcessInfo.processInfo.environment["ALLOC_METHODS"] != "0"
        print(String(format: "suite: production-like traces; heights as ratios to the best lower bound; portfolio limit %.0f s, %d cores",
                     limit, ProcessInfo.processInfo.activeProcessorCount))
        var ratios: [Double] = []
        var times: [Double] = []
        var worse: [String] = []
        for trace in AllocationTraces.suite where only?.contains(trace.name) ?? true {
            var problem = AllocationProblem(buffers: [])
            let generation = bestTime(repeats: 1) { problem = trace.make() }
            let stats = TrainingTrace.Statistics(problem)
            var bounds: LowerBounds?
            let boundTime = bestTime(repeats: 1) { bounds = try? LowerBounds(problem) }
            let bound = bounds?.best ?? 0
            print("\(trace.name): \(stats); generated in \(formatSeconds(generation))")
            print("  lower bound \(bound) (\(bounds?.bestName ?? "-"); max-live \(bounds?.peakLiveBytes ?? 0), aligned \(bounds?.alignedPeak ?? 0), "
                  + "pinned-top \(bounds?.fixedTop ?? 0), pinned-gaps \(bounds?.pinnedGaps ?? 0)) in \(formatSeconds(boundTime))")
            var bestGreedy = Int.max
            if methods {
                for member in Portfolio.members {
                    var height = 0
                    let (wall, cpu) = timed { height = (try? member.allocate(problem))?.height ?? 0 }
                    bestGreedy = min(bestGreedy, height)
                    print(String(format: "  %-40@ %.5f  %@ [cpu %@]", member.name, Double(height) / Double(bound), formatSeconds(wall), formatSeconds(cpu)))
                }
            }
            var report: AllocationReport?
            let (wall, cpu) = timedProcess { report = try? Portfolio(options: PortfolioOptions(timeLimit: limit)).allocate(problem) }
            guard let report, let solution = report.solution else {
                print("  portfolio: no answer")
                continue
            }
            let valid = (try? Validator.height(of: solution.offsets, for: problem)) == solution.height
            let ratio = Double(solution.height) / Double(bound)
            ratios.append(ratio)
            times.append(wall)
            if solution.height > bestGreedy { worse.append(trace.name) }
            let within = report.steps.first { ($0.height.map { Double($0) <= 1.005 * Double(bound) }) ?? false }
            print(String(format: "  %-40@ %.5f  %@ [cpu %@, both cores]  %@  %@; within 0.5%% after %@%@", "portfolio", ratio,
                         formatSeconds(wall), formatSeconds(cpu), report.method, valid ? "valid" : "INVALID",
                         within.map { formatSeconds($0.seconds) } ?? "-", solution.height > bestGreedy ? "  WORSE THAN A GREEDY" : ""))
            for step in report.steps {
                print(String(format: "      %8.3f s  %-40@ %@", step.seconds, step.method,
                             step.height.map { String(format: "%.5f", Double($0) / Double(bound)) } ?? "stopped"))
            }
        }
        if !ratios.isEmpty {
            let r = ratios.sorted(), t = times.sorted()
            print(String(format: "suite: %d traces; portfolio/bound min %.5f, median %.5f, max %.5f; within 0.5%%: %d of %d",
                         r.count, r.first!, r[r.count / 2], r.last!, r.filter { $0 <= 1.005 }.count, r.count))
            print(String(format: "suite: portfolio wall time min %.2f s, median %.2f s, max %.2f s; worse than a single greedy: %@",
                         t.first!, t[t.count / 2], t.last!, methods ? (worse.isEmpty ? "none" : worse.joined(separator: ", ")) : "not measured"))
        }
    }

    /// minimalloc's eleven benchmark problems (Examples/alloc/minimalloc):
    /// each at its capacity through the portfolio, `limit` seconds each.
    static func minimalloc(limit: Double) {
        let folder = AllocationTraces.root.appendingPathComponent("Examples/alloc/minimalloc")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".csv") }.sorted()
        var fits = 0
        var times: [Double] = []
        for file in files {
            let capacity = Int(file.split(separator: ".").dropFirst().first ?? "") ?? 0
            guard let problem = try? BufferCSV.read(contentsOf: folder.appendingPathComponent(file).path, capacity: capacity) else {
                print("  \(file): does not read")
                continue
            }
            let bounds = try? LowerBounds(problem)
            let bound = bounds?.best ?? 0
            var report: AllocationReport?
            let (wall, cpu) = timedProcess { report = try? Portfolio(options: PortfolioOptions(timeLimit: limit)).allocate(problem) }
            let valid = report?.solution.map { Validator.isValid($0.offsets, for: problem) } ?? false
            let fit = report?.status == .fit && valid
            if fit {
                fits += 1
                times.append(wall)
            }
            print(String(format: "  %@ %3d buffers, capacity %d, bound %d (%@; max-live %d): %@ in %@ [cpu %@] (%@)", file, problem.count,
                         capacity, bound, bounds?.bestName ?? "-", bounds?.peakLiveBytes ?? 0,
                         fit ? "fit" : report?.status.rawValue ?? "error", formatSeconds(wall), formatSeconds(cpu), report?.method ?? "-"))
        }
        times.sort()
        print(String(format: "minimalloc: %d/%d placed within their capacity, limit %.0f s each; median %.2f s, max %.2f s",
                     fits, files.count, limit, times.isEmpty ? 0 : times[times.count / 2], times.last ?? 0))
    }

    /// `ALLOC_WRITE_EXAMPLES=Examples/alloc`: the example problems, as CSV.
    static func writeExamples(to directory: String) {
        func save(_ name: String, _ problem: AllocationProblem) {
            let path = directory + "/" + name
            try? Data(BufferCSV.write(problem).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            print("wrote \(path): \(problem.count) buffers, lower bound \((try? LowerBounds(problem))?.best ?? 0)")
        }
        save("guillotine-200.csv", GuillotineProblems.make(pieces: 200, seed: 1).problem)
        save("guillotine-40.csv", GuillotineProblems.make(pieces: 40, width: 100, height: 100, seed: 2).problem)
        save("transformer-2x2.csv", TransformerTrace.make(layers: 2, microBatches: 2))
        save("transformer-48x57.csv", TransformerTrace.make())
    }

    static func guillotine(count: Int, limit: Double) {
        let set = GuillotineProblems.benchmarkSet(count: count)
        var fits = 0
        var times: [Double] = []
        var greedyExcess: [Double] = []
        var bestExcess: [Double] = []
        var cpuTimes: [Double] = []
        // `ALLOC_ONLY=7,39`: just those problems of the set (for profiling).
        let only = ProcessInfo.processInfo.environment["ALLOC_ONLY"].map { Set($0.split(separator: ",").compactMap { Int($0) }) }
        for (k, g) in set.enumerated() where only?.contains(k) ?? true {
            let p = g.problem
            let size = (try? GreedyAllocator(order: .size).allocate(p))?.height ?? 0
            let best = (try? BestOfGreedy.standard.allocate(p))?.solution.height ?? 0
            greedyExcess.append(Double(size) / Double(g.optimum) - 1)
            bestExcess.append(Double(best) / Double(g.optimum) - 1)
            // `ALLOC_NODES=N`: a node limit instead of the time limit, for
            // comparisons that do not depend on the machine's load.
            let nodeLimit = ProcessInfo.processInfo.environment["ALLOC_NODES"].flatMap(Int.init)
            var options = SearchOptions(timeLimit: nodeLimit == nil ? limit : nil, nodeLimit: nodeLimit)
            if let unit = ProcessInfo.processInfo.environment["ALLOC_RESTART_UNIT"].flatMap(Int.init) { options.firstRestartNodes = unit }
            if ProcessInfo.processInfo.environment["ALLOC_SEARCH_SERIAL"] == "1" { options.parallel = false }
            let search = ExactSearch(options: options)
            var report: SearchReport?
            let (seconds, cpu) = timed { report = try? search.fit(p, capacity: g.optimum) }
            cpuTimes.append(cpu)
            var status = "limit"
            if case .fit(let solution) = report?.outcome {
                if (try? Validator.height(of: solution.offsets, for: p)) != nil {
                    fits += 1
                    times.append(seconds)
                    status = "fit"
                } else {
                    status = "INVALID"
                }
            } else if report?.outcome == .noFit {
                status = "WRONG no-fit"
            }
            print(String(format: "  #%02d %3d buffers  greedy-size +%5.1f%%  best-of +%5.1f%%  search %@ %7.3f s  %d nodes %d restarts",
                         k, p.count, greedyExcess.last! * 100, bestExcess.last! * 100, status, seconds,
                         report?.nodes ?? 0, report?.restarts ?? 0))
        }
        times.sort()
        let median = times.isEmpty ? 0 : times[times.count / 2]
        print(String(format: "guillotine: search fits %d/%d (%.0f%%) at capacity = optimum, limit %.0f s; median %.3f s, max %.3f s",
                     fits, set.count, 100 * Double(fits) / Double(max(1, set.count)), limit, median, times.last ?? 0))
        print(String(format: "guillotine: search CPU time %.2f s in all (thread CPU time, steadier than wall time on a shared machine)",
                     cpuTimes.reduce(0, +)))
        func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(max(1, xs.count)) }
        print(String(format: "guillotine: greedy by size needs +%.1f%% on average (min %.1f%%, max %.1f%%); best of 4 orders +%.1f%%",
                     mean(greedyExcess) * 100, (greedyExcess.min() ?? 0) * 100, (greedyExcess.max() ?? 0) * 100, mean(bestExcess) * 100))
    }

    static func trace(microBatches: Int) {
        let problem = TransformerTrace.make(microBatches: microBatches)
        let bounds = try? LowerBounds(problem)
        let bound = bounds?.best ?? 0
        print("trace: \(problem.count) buffers, lower bound \(bound) (\(bounds?.bestName ?? "-"), max-live \(bounds?.peakLiveBytes ?? 0)) "
              + "(wall time; thread CPU time in brackets)")
        for allocator in GreedyOrder.allCases.map({ GreedyAllocator(order: $0) }) {
            var height = 0
            let (wall, cpu) = timed { height = (try? allocator.allocate(problem))?.height ?? 0 }
            print(String(format: "  %-16@ %@ [%@]  height/bound %.4f", allocator.name, formatSeconds(wall), formatSeconds(cpu),
                         Double(height) / Double(bound)))
        }
        var report: AllocationReport?
        let (wall, cpu) = timedProcess { report = try? Portfolio(options: PortfolioOptions(timeLimit: 5)).allocate(problem) }
        if let report, let solution = report.solution {
            let valid = (try? Validator.height(of: solution.offsets, for: problem)) == solution.height
            print(String(format: "  portfolio (auto, 5 s limit) %@ [process cpu %@]  height/bound %.4f  method %@  %@",
                         formatSeconds(wall), formatSeconds(cpu), Double(solution.height) / Double(bound), report.method,
                         valid ? "valid" : "INVALID"))
        }
    }

    /// Wall-clock and process CPU seconds (all threads) of one run.
    static func timedProcess(_ body: () -> Void) -> (wall: Double, cpu: Double) { timed(clock: CLOCK_PROCESS_CPUTIME_ID, body) }

    /// Wall-clock and thread CPU seconds of one run (the CPU time is the
    /// steadier figure on a shared machine).
    static func timed(clock: clockid_t = CLOCK_THREAD_CPUTIME_ID, _ body: () -> Void) -> (wall: Double, cpu: Double) {
        func cpuNow() -> Double {
            var t = timespec()
            clock_gettime(clock, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
        }
        let c0 = cpuNow()
        let wall = bestTime(repeats: 1, body)
        return (wall, cpuNow() - c0)
    }
}
