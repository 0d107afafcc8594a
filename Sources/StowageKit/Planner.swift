import Foundation
import MILP
import Scratchpad
import Verifier

/// Stowage for Swift callers: plans where a graph's tensors live in a
/// scratchpad, and what moves to and from host memory, and hands back only
/// plans the independent verifier has replayed.
///
/// A compiler pass builds its graph in code (``GraphBuilder``) or imports
/// one (``loadGraph(contentsOf:symbols:)``,
/// ``graph(fromJSON:name:source:symbols:)``), picks a capacity (bytes, or a
/// budget of the graph: M_R, M_H, M_P) and a method, and reads the plan's
/// steps: before each operator, which tensors to allocate at which offsets,
/// which to load from or spill to host memory, which to free.
///
/// ```swift
/// import Foundation
/// import StowageKit
///
/// // A three-layer MLP, built in code.
/// var builder = GraphBuilder(name: "mlp")
/// var x = builder.input("x", bytes: 64 << 10)
/// for layer in 1 ... 3 {
///     let w = builder.weight("w\(layer)", bytes: 256 << 10)
///     x = builder.op("fc\(layer)", type: "MatMul", inputs: [x, w], output: "h\(layer)", bytes: 64 << 10)
/// }
/// builder.markOutput(x)
///
/// do {
///     let graph = try builder.build()
///     let planner = Planner(options: PlanningOptions(method: .ilp, solver: .cbc, timeLimit: 10, alignment: 64))
///     let result = try planner.plan(graph, capacity: .bytes(512 << 10))
///     print(result.plan.method, result.nonCompulsoryBytes, result.isOptimal == true)
///     for (s, step) in result.plan.steps.enumerated() {
///         let op = graph.operators[step.op].name
///         print(s, op, step.before.map { "\($0.kind.rawValue) \(graph.tensors[$0.tensor].name)" })
///     }
///     try result.json(pretty: true).write(to: URL(fileURLWithPath: "mlp-plan.json"))
/// } catch let error as StowageError {
///     // .badInput(source:location:reason:), .infeasible(capacity:reason:),
///     // .verificationFailed(method:reason:), .solverFailure(reason:)
///     print(error)
/// }
/// ```
///
/// The same for a model file: `try planner.plan(modelAt: "resnet50.onnx",
/// capacity: .half)`. Pure offset allocation of buffers with fixed
/// lifetimes is ``allocate(_:capacity:options:)``.
///
/// `Planner` is a value; planning from several threads at once is safe
/// (CBC solves are serialised process-wide, GLPK's run in parallel).
public struct Planner: Sendable {
    public var options: PlanningOptions

    public init(options: PlanningOptions = PlanningOptions()) {
        self.options = options
    }

    /// Plans `graph` through a scratchpad of `capacity`, in the graph's
    /// file order (a topological order when the file order is not).
    /// - Parameters:
    ///   - graph: the graph; every tensor an operator reads or writes needs a
    ///     known size.
    ///   - capacity: bytes, or one of the graph's budgets.
    /// - Returns: the plan, verified against the graph (with
    ///   ``PlanningOptions/dtypeBytes`` applied), and its context.
    /// - Throws: ``StowageError/badInput(source:location:reason:)`` for bad
    ///   options, a tensor of unknown size or a capacity below one byte;
    ///   ``StowageError/infeasible(capacity:reason:)`` when an operator alone
    ///   needs more than the capacity or the addresses never fit;
    ///   ``StowageError/solverFailure(reason:)`` when the ILP found nothing;
    ///   ``StowageError/verificationFailed(method:reason:)`` if a planner
    ///   produced a plan the verifier rejects (a bug in Stowage).
    ///
    /// Baseline: O(steps × resident tensors) per replacement run plus the
    /// allocator's O(n log n), O(log capacity) runs at most. ILP: bounded by
    /// ``PlanningOptions/timeLimit``. Verification: O(actions log live).
    public func plan(_ graph: Graph, capacity: Capacity) throws(StowageError) -> PlanningResult {
        try plan(graph, capacity: capacity, source: "graph '\(graph.name)'")
    }

    /// Imports a model file (see ``loadGraph(contentsOf:symbols:)``) and
    /// plans it (see ``plan(_:capacity:)``).
    /// - Parameters:
    ///   - path: an `.onnx` model or a Stowage JSON graph.
    ///   - capacity: bytes, or one of the graph's budgets.
    ///   - symbols: values for symbolic dimensions.
    /// - Returns: the verified plan and its context.
    /// - Throws: as ``loadGraph(contentsOf:symbols:)`` and ``plan(_:capacity:)``.
    public func plan(modelAt path: String, capacity: Capacity, symbols: [String: Int] = [:]) throws(StowageError) -> PlanningResult {
        try plan(try Self.loadGraph(contentsOf: path, symbols: symbols), capacity: capacity, source: path)
    }

    /// M_R, M_H and M_P of `graph` in its file order, at
    /// ``PlanningOptions/dtypeBytes``.
    /// - Throws: ``StowageError/badInput(source:location:reason:)`` as
    ///   ``plan(_:capacity:)`` does for the graph and options.
    ///
    /// O(tensors + edges).
    public func budgets(for graph: Graph) throws(StowageError) -> Budgets {
        let sized = try prepare(graph, source: "graph '\(graph.name)'")
        return Budgets(ScratchpadBudgets(ScratchpadProblem(graph: sized, schedule: Schedule.default(for: sized), capacity: 0)))
    }

    func plan(_ input: Graph, capacity target: Capacity, source: String) throws(StowageError) -> PlanningResult {
        let clock = Stopwatch()
        let graph = try prepare(input, source: source)
        if case .bytes(let n) = target, n < 1 {
            throw .badInput(source: "options", location: "capacity", reason: "must be at least 1 byte, got \(n)")
        }
        let probe = ScratchpadProblem(graph: graph, schedule: Schedule.default(for: graph), capacity: 0)
        let budgets = Budgets(ScratchpadBudgets(probe))
        let capacity = target.resolved(with: budgets)
        let problem = probe.with(capacity: capacity, alignment: options.alignment)

        let plan: Plan
        do {
            switch options.method {
            case .baseline, .lru:
                plan = try BaselinePlanner(policy: options.method == .lru ? .lru : .belady).plan(problem)
            case .ilp:
                var solveOptions = SolveOptions(timeLimit: options.timeLimit)
                solveOptions.progress = options.progress
                plan = try ILPPlanner(solver: options.solver.solver, options: solveOptions).plan(problem).plan
            }
        } catch {
            switch error {
            case .operatorTooLarge, .fragmentation:
                throw .infeasible(capacity: capacity, reason: "\(error) (M_R = \(budgets.minimum), M_H = \(budgets.half), M_P = \(budgets.noSpill) bytes)")
            case .allocator:
                // The replacement ILP found nothing, or the offset allocator
                // refused the residencies (e.g. alignments beyond 64 bits).
                throw .solverFailure(reason: error.description)
            }
        }
        // Every plan is replayed before anyone sees it; a failure is a bug.
        let report = Verifier.verify(plan, against: graph)
        if let failure = report.failure {
            throw .verificationFailed(method: plan.method, reason: failure.description)
        }
        return PlanningResult(plan: plan, graph: graph, capacity: capacity, budgets: budgets,
                              stepsVerified: report.stepsReplayed, seconds: clock.seconds)
    }

    /// The graph at the options' element size, once every tensor that an
    /// operator touches has a known size. O(tensors + edges).
    func prepare(_ graph: Graph, source: String) throws(StowageError) -> Graph {
        try options.check()
        var sized = graph
        if let bytes = options.dtypeBytes {
            do {
                sized = try graph.resizingFloatingPoint(toBytes: bytes)
            } catch {
                throw .badInput(source: source, location: nil, reason: error.description)
            }
        }
        for op in sized.operators {
            for t in op.reads + op.outputs where sized.tensors[t].bytes == nil {
                throw .badInput(source: source, location: "tensor '\(sized.tensors[t].name)'",
                                reason: "no known size (no shape, or a symbolic dimension without a value: pass it in symbols)")
            }
        }
        return sized
    }
}
