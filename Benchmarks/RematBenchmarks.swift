import Foundation
import MILP
import MemoryGraph
import ModelImport
import Remat

/// Rematerialisation on the bundled training graphs (Models/training):
/// per graph and budget (0.9, 0.8, 0.7, 0.6 of the keep-everything peak, and
/// the smallest budget a heuristic fits), PyTorch's heuristic at the same
/// fraction (its true peak under Stowage's memory model, and its overhead)
/// beside the methods' overheads and times; then the exact slot MILP's
/// size and solve time on tiny graphs with each strengthening on and off.
/// `REMAT_LIMIT` sets the seconds per MILP solve (default 60).
enum RematBenchmarks {
    static func run() {
        bundled()
        formulation()
    }

    static func percent(_ x: Double) -> String { String(format: "%6.2f%%", x * 100) }

    static func bundled() {
        let names = ["vgg16", "unet", "resnet18", "mobilenet_v2", "gpt2"]
        print("graph          ops  budget  keep-all peak   torch@b: peak/keep-all  overhead | chen     torch-best greedy   | best     s (chen, torch, greedy)")
        for (name, graph, base) in CheckmateBenchmarks.trainingProblems(names) {
            let peak = base.keepAllPeak
            var fractions: [(String, Int, Double?)] = [0.9, 0.8, 0.7, 0.6].map { (String(format: "%.1f", $0), Int(Double(peak) * $0), $0) }
            fractions.append(("min", smallestFeasible(base), nil))
            for (label, budget, fraction) in fractions {
                let problem = base.with(budget: budget)
                var torchText = "            -                 -"
                if let fraction {
                    let raw = TorchKnapsackPlanner.evaluation(problem, fraction: fraction)
                    torchText = String(format: "%12.3f", Double(raw.peak) / Double(peak)) + (raw.peak <= budget ? " fits " : " over ")
                        + percent(raw.cost / problem.baseCost - 1)
                }
                var overheads: [String] = []
                var times: [String] = []
                var best = Double.infinity
                for method in ["chen", "torch", "greedy"] {
                    var found: RematSolution?
                    let seconds = bestTime(repeats: 1) {
                        switch method {
                        case "chen": found = try? ChenPlanner.plan(problem)
                        case "torch": found = try? TorchKnapsackPlanner.plan(problem)
                        default: found = try? GreedyEvictionPlanner.plan(problem)
                        }
                    }
                    if let found {
                        let overhead = found.evaluation.cost / problem.baseCost - 1
                        best = min(best, overhead)
                        overheads.append(percent(overhead))
                    } else {
                        overheads.append("   none ")
                    }
                    times.append(String(format: "%.2f", seconds))
                }
                print(String(format: "%-12@ %5ld  %6@  %13ld  ", name as NSString, graph.operators.count, label as NSString, budget)
                      + torchText + " | " + overheads.joined(separator: " ") + " | " + (best.isFinite ? percent(best) : "   none ")
                      + "  " + times.joined(separator: ", "))
            }
        }
    }

    /// The smallest budget at which some heuristic finds a schedule, by
    /// bisection between the proven minimum and the keep-all peak.
    static func smallestFeasible(_ base: RematProblem) -> Int {
        func fits(_ budget: Int) -> Bool {
            let problem = base.with(budget: budget)
            return (try? GreedyEvictionPlanner.plan(problem)) != nil || (try? ChenPlanner.plan(problem)) != nil
                || (try? TorchKnapsackPlanner.plan(problem)) != nil
        }
        var low = base.provenMinimum.bytes - 1, high = base.keepAllPeak
        if fits(low + 1) { return low + 1 }
        while high - low > max(1, base.keepAllPeak / 1000) {
            let middle = low + (high - low) / 2
            if fits(middle) { high = middle } else { low = middle }
        }
        return high
    }

    /// The slot MILP on seeded tiny training graphs (a forward chain, a loss,
    /// the mirrored backward pass) at their proven minimum: size and summed
    /// solve time, with each strengthening switched off in turn.
    static func formulation() {
        let limit = Double(ProcessInfo.processInfo.environment["REMAT_LIMIT"] ?? "") ?? 60
        print("\nexact slot MILP, 30 tiny graphs at their proven minimum (GLPK and CBC, \(Int(limit)) s per solve)")
        print("variant                 columns   rows   GLPK s   CBC s   optimal")
        let problems = (1 ... 30).compactMap { seed -> RematProblem? in
            guard let base = try? RematProblem(graph: chain(seed: UInt64(seed)), budget: 0) else { return nil }
            return base.with(budget: base.provenMinimum.bytes)
        }
        for (label, ancestors, precedence) in [("both", true, true), ("no ancestor fixing", false, true),
                                               ("no precedence rows", true, false), ("neither", false, false)] {
            var columns = 0, rows = 0, optimal = 0
            var seconds: [Double] = []
            for solver in [GLPKSolver() as any Solver, CBCSolver()] {
                var total = 0.0
                for problem in problems {
                    var ilp = SlotILP(solver: solver, options: SolveOptions(timeLimit: limit))
                    ilp.fixesAncestors = ancestors
                    ilp.precedenceRows = precedence
                    let start = ContinuousClock.now
                    let found = try? ilp.plan(problem)
                    let elapsed = ContinuousClock.now - start
                    total += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                    if solver.name == "glpk" {
                        columns += found?.variables ?? 0
                        rows += found?.rows ?? 0
                        if found?.solverStatus == "optimal" { optimal += 1 }
                    }
                }
                seconds.append(total)
            }
            print(String(format: "%-22@ %8ld %6ld %8.2f %7.2f %6ld/%ld", label as NSString, columns, rows,
                         seconds[0], seconds[1], optimal, problems.count))
        }
    }

    /// A tiny training graph: forward f1…fm (m = 3–5, each reading the
    /// previous value), a loss, backward b_m…b_1 reading the gradient and
    /// the forward values of their layer; sizes and costs from the seed.
    static func chain(seed: UInt64) -> Graph {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        let m = 3 + next(3)
        var tensors = [Tensor(name: "x", kind: .input, bytes: 1)]
        var operators: [Operator] = []
        for l in 0 ..< m {
            tensors.append(Tensor(name: "a\(l)", kind: .activation, bytes: 1 + next(3)))
            operators.append(Operator(name: "f\(l)", type: "F", inputs: [l], outputs: [l + 1], cost: Double(1 + next(4)), phase: .forward))
        }
        tensors.append(Tensor(name: "loss", kind: .activation, bytes: 1))
        operators.append(Operator(name: "loss", type: "L", inputs: [m], outputs: [m + 1], cost: 1, phase: .forward))
        var gradient = m + 1
        for l in stride(from: m - 1, through: 0, by: -1) {
            tensors.append(Tensor(name: "g\(l)", kind: .activation, bytes: 1 + next(3)))
            let reads = [gradient, l + 1] + (l > 0 ? [l] : [])
            operators.append(Operator(name: "b\(l)", type: "B", inputs: reads, outputs: [tensors.count - 1], cost: Double(1 + next(4)), phase: .backward))
            gradient = tensors.count - 1
        }
        return try! Graph(name: "chain-\(seed)", tensors: tensors, operators: operators, outputs: [m + 1, gradient])
    }
}
