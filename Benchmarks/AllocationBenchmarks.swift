import Allocation
import Foundation

/// Fixed-lifetime allocation (issue 4's acceptance figures):
/// - guillotine problems at capacity = optimum: the share the exact search
///   fits within the per-problem limit, and how much higher greedy goes;
/// - a 60,000-buffer transformer training trace: heuristic times and the
///   portfolio's height relative to the lower bound.
///
/// Sized by environment variables (the suite runs in full by default):
/// `ALLOC_GUILLOTINE` problems (50), `ALLOC_LIMIT` seconds each (10),
/// `ALLOC_TRACE_MICROBATCHES` (57, i.e. ≈ 60,000 buffers). For comparing
/// search variants: `ALLOC_ONLY=7,39` runs just those guillotine problems,
/// `ALLOC_NODES=N` replaces the time limit by a node limit (results then
/// do not depend on the machine's load), `ALLOC_RESTART_UNIT=N` sets the
/// restart schedule's unit (``SearchOptions/firstRestartNodes``).
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
        if problems > 0 { guillotine(count: problems, limit: limit) }
        if microBatches > 0 { trace(microBatches: microBatches) }
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
        let bound = (try? LowerBounds(problem))?.best ?? 0
        print("trace: \(problem.count) buffers, lower bound \(bound) (wall time; thread CPU time in brackets)")
        for allocator in GreedyOrder.allCases.map({ GreedyAllocator(order: $0) }) {
            var height = 0
            let (wall, cpu) = timed { height = (try? allocator.allocate(problem))?.height ?? 0 }
            print(String(format: "  %-16@ %@ [%@]  height/bound %.4f", allocator.name, formatSeconds(wall), formatSeconds(cpu),
                         Double(height) / Double(bound)))
        }
        var report: AllocationReport?
        let (wall, cpu) = timed { report = try? Portfolio(options: PortfolioOptions(timeLimit: 5)).allocate(problem) }
        if let report, let solution = report.solution {
            let valid = (try? Validator.height(of: solution.offsets, for: problem)) == solution.height
            print(String(format: "  portfolio (auto, 5 s limit) %@ [%@]  height/bound %.4f  method %@  %@",
                         formatSeconds(wall), formatSeconds(cpu), Double(solution.height) / Double(bound), report.method,
                         valid ? "valid" : "INVALID"))
        }
    }

    /// Wall-clock and thread CPU seconds of one run (the CPU time is the
    /// steadier figure on a shared machine).
    static func timed(_ body: () -> Void) -> (wall: Double, cpu: Double) {
        func cpuNow() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
        }
        let c0 = cpuNow()
        let wall = bestTime(repeats: 1, body)
        return (wall, cpuNow() - c0)
    }
}
