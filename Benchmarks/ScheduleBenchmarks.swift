import ArenaSchedule
import Foundation
import MILP
import MemoryGraph
import ModelImport
import RandomNetworks

/// The smallest-arena scheduler (`swift run -c release Benchmarks schedule`):
///
/// 1. The exact search's states and time against the number of operators
///    and the width: `w` parallel chains of `L` equal operators between a
///    source and a sink (the chains' down-sets number (L + 1)^w), and
///    RandWire stages of growing size.
/// 2. RandWire WS(n, 4, 0.75), the bundled seeds 0–9 (Models/randwire),
///    equal and mixed sizes: the peaks of the given order, the heuristics
///    and the exact search, the bound, states and seconds, and averages.
///    n = 32 without a limit; 64 and 96 with `SCHEDULE_LIMIT` seconds each
///    (default 60). `SCHEDULE_SIZES=32` runs only some sizes,
///    `SCHEDULE_SEEDS=0,3` some seeds; `SCHEDULE_SCALING=0` skips part 1.
enum ScheduleBenchmarks {
    static func run() {
        if ProcessInfo.processInfo.environment["SCHEDULE_SCALING"] != "0" { scaling() }
        let limit = Double(ProcessInfo.processInfo.environment["SCHEDULE_LIMIT"] ?? "") ?? 60
        let sizes = (ProcessInfo.processInfo.environment["SCHEDULE_SIZES"] ?? "32,64,96").split(separator: ",").compactMap { Int($0) }
        for n in sizes {
            for kind in ["equal", "mixed"] {
                randWire(nodes: n, sizes: kind, limit: n == 32 ? nil : limit)
            }
        }
    }

    /// States and seconds of the exact search against n and width.
    static func scaling() {
        say("exact search: states and time against operators (n) and width (w)")
        say("graph              n    w      states   expansions    seconds   peak  bound")
        for (width, length) in [(2, 8), (2, 32), (2, 128), (3, 8), (3, 16), (3, 32), (4, 8), (4, 12), (5, 6), (6, 5), (8, 3)] {
            let graph = chains(width: width, length: length)
            measure(graph, label: "chains \(width)×\(length)", width: width)
        }
        for n in [16, 24, 32, 40, 48] {
            guard let graph = try? RandWire.stage(nodes: n, sizes: .equal, seed: 0) else { continue }
            measure(graph, label: "randwire ws\(n)", width: nil)
        }
    }

    static func measure(_ graph: Graph, label: String, width: Int?) {
        let problem = ArenaProblem(graph: graph)
        let start = OrderHeuristics.xlaList(problem)
        var outcome: PeakSearch.Outcome?
        let seconds = bestTime(repeats: 1) {
            // The search alone: no beam, no floor.
            outcome = PeakSearch(limits: .init(maxStates: 8_000_000, deadline: Deadline(seconds: 120), beamWidths: []))
                .minimumPeak(problem, incumbent: start, lowerBound: 0)
        }
        guard let outcome else { return }
        let w = width.map { String($0) } ?? "-"
        say(label.padding(toLength: 16, withPad: " ", startingAt: 0)
            + String(format: "%5d %4@ %11d %12d %10.3f %6d %6d", graph.operators.count, w, outcome.states, outcome.expansions,
                     seconds, outcome.peak / 1024, outcome.lowerBound / 1024) + (outcome.stop.map { "  (\($0.rawValue))" } ?? ""))
    }

    /// `width` chains of `length` operators from one source to one sink,
    /// 1–4 KiB each in a fixed pattern (so the interleaving matters).
    static func chains(width: Int, length: Int) -> Graph {
        var tensors = [Tensor(name: "x", kind: .input, bytes: 1024), Tensor(name: "s", kind: .activation, bytes: 1024)]
        var operators = [Operator(name: "source", type: "Op", inputs: [0], outputs: [1])]
        var ends: [Int] = []
        for c in 0 ..< width {
            var previous = 1
            for k in 0 ..< length {
                tensors.append(Tensor(name: "c\(c)_\(k)", kind: .activation, bytes: 1024 * (1 + (5 * c + 3 * k) % 4)))
                operators.append(Operator(name: "op\(c)_\(k)", type: "Op", inputs: [previous], outputs: [tensors.count - 1]))
                previous = tensors.count - 1
            }
            ends.append(previous)
        }
        tensors.append(Tensor(name: "y", kind: .activation, bytes: 1024))
        operators.append(Operator(name: "sink", type: "Op", inputs: ends, outputs: [tensors.count - 1]))
        return (try? Graph(name: "chains", tensors: tensors, operators: operators, outputs: [tensors.count - 1]))!
    }

    /// The bundled RandWire seeds of one size.
    static func randWire(nodes: Int, sizes: String, limit: Double?) {
        say("\nRandWire WS(\(nodes), 4, 0.75), \(sizes) sizes, seeds 0–9" + (limit.map { ", \(Int($0)) s each" } ?? ", no limit")
            + (sizes == "equal" ? " (units of 16 KiB)" : " (KiB)"))
        say("seed   given    xla  induc.  best-h   exact  bound  proved     states  seconds   a-cut  m-cut")
        let unit = sizes == "equal" ? 16384.0 : 1024.0
        var sums = [Double](repeating: 0, count: 6)
        var proved = 0
        let seeds = (ProcessInfo.processInfo.environment["SCHEDULE_SEEDS"] ?? "0,1,2,3,4,5,6,7,8,9").split(separator: ",").compactMap { Int($0) }
        for seed in seeds {
            let path = "Models/randwire/ws\(nodes)-\(sizes)-s\(seed).json"
            guard case .graph(let graph)? = try? ModelFile.load(path) else {
                say("\(path): not readable (run from the repository root)")
                return
            }
            let problem = ArenaProblem(graph: graph)
            let given = problem.peak(of: problem.givenOrder)
            let xla = problem.peak(of: OrderHeuristics.xlaList(problem))
            let inductor = problem.peak(of: OrderHeuristics.inductor(problem))
            let bestOrder = [problem.givenOrder, OrderHeuristics.xlaList(problem), OrderHeuristics.inductor(problem)]
                .min { problem.peak(of: $0) < problem.peak(of: $1) }!
            let heuristic = min(given, xla, inductor)
            let ancestorCut = Reachability.cutBound(problem)
            let minimumCut = MinimumCutBound.bound(problem)
            let cut = max(ancestorCut, minimumCut)
            var outcome: PeakSearch.Outcome?
            let seconds = bestTime(repeats: 1) {
                outcome = PeakSearch(limits: .init(maxStates: 8_000_000, deadline: Deadline(seconds: limit)))
                    .minimumPeak(problem, incumbent: bestOrder, lowerBound: cut)
            }
            guard let outcome else { continue }
            if outcome.proved { proved += 1 }
            let row = [given, xla, inductor, heuristic, outcome.peak, outcome.lowerBound].map { Double($0) / unit }
            for i in row.indices { sums[i] += row[i] }
            say(String(format: "%4d %7.1f %6.1f %7.1f %7.1f %7.1f %6.1f  %6@ %10d %8.2f %7.1f %6.1f", seed, row[0], row[1], row[2], row[3],
                         row[4], row[5], outcome.proved ? "yes" : "no", outcome.states, seconds,
                         Double(ancestorCut) / unit, Double(minimumCut) / unit))
        }
        let mean = sums.map { $0 / Double(max(1, seeds.count)) }
        say(String(format: "mean %7.2f %6.2f %7.2f %7.2f %7.2f %6.2f  %d/%d proved", mean[0], mean[1], mean[2], mean[3], mean[4], mean[5],
                   proved, seeds.count))
        say(String(format: "exact vs best heuristic: %.1f %% lower; vs given order: %.1f %% lower",
                     100 * (1 - mean[4] / mean[3]), 100 * (1 - mean[4] / mean[0])))
    }
}

/// One line on standard output, unbuffered: the long runs show progress.
private func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
