import MILP
import MemoryGraph
import Plan
import Testing
import Verifier
@testable import Remat

/// Griewank's revolve: the table against the closed forms, and the
/// planner on small mirrored chains against the exhaustive search and the
/// exact MILP.
@Suite struct GriewankTests {
    static func binomial(_ n: Int, _ k: Int) -> Int {
        guard k >= 0, k <= n else { return 0 }
        var result = 1
        for i in 0 ..< min(k, n - k) { result = result * (n - i) / (i + 1) }
        return result
    }

    /// A chain of n layers and its mirror, unit costs and unit sizes:
    /// f_i reads a_{i−1} (x for i = 1), b_n reads a_{n−1} and a_n, b_i
    /// reads a_{i−1} and g_{i+1}; the weight gradient of b_1 and g_1 are outputs.
    static func mirroredChain(_ n: Int) -> Graph {
        var tensors = [Tensor(name: "x", kind: .input, bytes: 1), Tensor(name: "w", kind: .weight, bytes: 1)]
        let a = (1 ... n).map { i -> Int in tensors.append(Tensor(name: "a\(i)", kind: .activation, bytes: 1)); return tensors.count - 1 }
        let g = (1 ... n).map { i -> Int in tensors.append(Tensor(name: "g\(i)", kind: .activation, bytes: 1)); return tensors.count - 1 }
        var operators: [Operator] = []
        for i in 1 ... n {
            operators.append(Operator(name: "f\(i)", type: "F", inputs: [i == 1 ? 0 : a[i - 2], 1], outputs: [a[i - 1]], cost: 1, phase: .forward))
        }
        for i in stride(from: n, through: 1, by: -1) {
            let before = i == 1 ? 0 : a[i - 2]
            let inputs = i == n ? [before, a[n - 1], 1] : [before, g[i], 1]
            operators.append(Operator(name: "b\(i)", type: "B", inputs: inputs, outputs: [g[i - 1]], cost: 1, phase: .backward))
        }
        return try! Graph(name: "chain-\(n)", tensors: tensors, operators: operators, outputs: [g[0]])
    }

    @Test("the table equals Griewank and Walther's closed form t(l, c) = r·l − C(c + r, c + 1)")
    func tableEqualsClosedForm() throws {
        let table = try #require(Revolve(positions: 80, slots: 7))
        var checked = 0
        for s in 0 ... 7 {
            let c = s + 1  // their count includes the start
            for l in 1 ... 80 {
                var r = 0
                while Self.binomial(c + r, c) < l { r += 1 }
                let closed = r * l - Self.binomial(c + r, c + 1)
                #expect(table.forwardSteps(positions: l, slots: s) == closed, "l \(l), s \(s)")
                checked += 1
            }
        }
        #expect(checked == 640)
        // The schedule the table emits has as many forward steps as it says, and every adjoint once, in order.
        for s in 0 ... 4 {
            for l in 1 ... 30 {
                let events = table.reversal(from: 0, to: l, slots: s)
                let forward = events.filter { if case .forward = $0 { return true } else { return false } }.count
                #expect(forward == table.forwardSteps(positions: l, slots: s), "l \(l), s \(s)")
                let adjoints = events.compactMap { event -> Int? in if case .adjoint(let i) = event { return i } else { return nil } }
                #expect(adjoints == Array((1 ... l).reversed()))
            }
        }
    }

    @Test("the most positions reversible with s snapshots and r repetitions is C(s + 1 + r, s + 1)")
    func binomialReach() {
        for s in 0 ... 4 {
            for r in 0 ... 4 {
                #expect(Revolve.maxPositions(slots: s, repetitions: r) == Self.binomial(s + 1 + r, s + 1), "s \(s), r \(r)")
            }
        }
    }

    /// Unit chains of 2–5 layers (4–10 operators), every budget from the
    /// proven minimum to the keep-all peak: griewank's cost is the
    /// exhaustive optimum (any number of executions) and, up to 3 layers,
    /// the exact MILP's (at most 3 executions per operator, enough for
    /// these chains; 4 layers take CBC about a minute); its plan verifies
    /// in real memory.
    @Test("on unit chains griewank equals the exhaustive optimum and the exact MILP; its plans verify")
    func chainsMatchExhaustive() throws {
        var compared = 0, recomputing = 0
        for n in 2 ... 5 {
            let graph = Self.mirroredChain(n)
            let base = try RematProblem(graph: graph, budget: 0)
            for budget in base.provenMinimum.bytes ... base.keepAllPeak {
                let problem = base.with(budget: budget)
                let label = "n \(n), budget \(budget)"
                let truth = BruteForce(graph: graph, budget: budget, cap: nil).optimum()
                let solution = try GriewankPlanner.plan(problem)
                #expect(truth.map(Double.init) == solution.evaluation.cost, "\(label): griewank \(solution.evaluation.cost), exhaustive \(truth ?? -1)")
                let plan = RematPlanAssembly.plan(problem, solution.evaluation, method: GriewankPlanner.method)
                let report = Verifier.verify(plan, against: graph, mode: .realMemory())
                #expect(report.passed, "\(label): \(report.failure?.description ?? "")")
                if n <= 3 {
                    let exact = try SlotILP(solver: CBCSolver(), options: SolveOptions(timeLimit: 120), cap: 3).plan(problem)
                    #expect(exact.solverStatus == "optimal", "\(label)")
                    #expect(exact.evaluation.cost == solution.evaluation.cost, "\(label): exact \(exact.evaluation.cost)")
                }
                if solution.evaluation.recomputations > 0 { recomputing += 1 }
                compared += 1
            }
        }
        // 1 + 2 + 3 + 4 budgets; all but the keep-all peak of each chain recompute (run on 2026-11-29).
        #expect(compared == 10 && recomputing == 6, "\(compared) compared, \(recomputing) recompute")
    }

    @Test("graphs that are not a mirrored chain are refused, naming the operator")
    func nonChainsAreRefused() throws {
        // A skip connection: f3 reads a1 as well.
        var graph = Self.mirroredChain(4)
        let a1 = graph.tensors.firstIndex { $0.name == "a1" }!
        var operators = graph.operators
        operators[2] = Operator(name: "f3", type: "F", inputs: operators[2].inputs + [a1], outputs: operators[2].outputs, cost: 1, phase: .forward)
        graph = try Graph(name: "skip", tensors: graph.tensors, operators: operators, outputs: graph.outputs)
        let skip = try RematProblem(graph: graph, budget: 100)
        switch (Result { () throws(RematFailure) in try GriewankPlanner.plan(skip) }) {
        case .failure(.notApplicable(_, let reason)): #expect(reason.contains("'f3'"), "\(reason)")
        case let other: Issue.record("a graph with a skip connection: \(other)")
        }
        // The tiny training graphs with a loss operator have one forward operator more than backward ones.
        var refused = 0
        for seed in UInt64(1) ... 20 {
            let problem = try RematProblem(graph: TinyTrainingGraphs.graph(seed: seed), budget: 100)
            if case .notApplicable? = (Result { () throws(RematFailure) in try GriewankPlanner.plan(problem) }).failure { refused += 1 }
        }
        #expect(refused == 20)
    }
}

extension Result {
    var failure: Failure? { if case .failure(let f) = self { return f } else { return nil } }
}
