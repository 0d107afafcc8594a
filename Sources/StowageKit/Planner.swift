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

    /// Plans `graph` through a scratchpad of `capacity`.
    /// - Parameters:
    ///   - graph: the graph; every tensor an operator reads or writes needs a
    ///     known size (or ``PlanningOptions/unknownSizes`` `.zero`).
    ///   - capacity: bytes, or one of the graph's budgets.
    /// - Returns: the plan, verified against the graph (with
    ///   ``PlanningOptions/dtypeBytes`` applied), and its context.
    /// - Throws: ``StowageError/badInput(source:location:reason:)`` for bad
    ///   or ignored options, a tensor of unknown size or a capacity below one
    ///   byte; ``StowageError/infeasible(capacity:reason:)`` when an operator
    ///   alone needs more than the capacity or the addresses never fit;
    ///   ``StowageError/solverFailure(reason:)`` when the ILP found nothing;
    ///   ``StowageError/verificationFailed(method:reason:)`` if a planner
    ///   produced a plan the verifier rejects (a bug in Stowage).
    ///
    /// Baseline: O(steps × resident tensors) per replacement run plus the
    /// allocator's O(n log n), O(log capacity) runs at most. ILP: bounded by
    /// ``PlanningOptions/timeLimit`` (wall clock, from the call).
    /// Verification: O(actions log live).
    public func plan(_ graph: Graph, capacity: Capacity) throws(StowageError) -> PlanningResult {
        let deadline = try startDeadline()
        return try plan(graph, capacity: capacity, source: "graph '\(graph.name)'", deadline: deadline)
    }

    /// Imports a model file (see ``loadGraph(contentsOf:symbols:)``, with
    /// ``PlanningOptions/dims``) and plans it (see ``plan(_:capacity:)``);
    /// the time limit covers the import too.
    /// - Parameters:
    ///   - path: an `.onnx` model or a Stowage JSON graph.
    ///   - capacity: bytes, or one of the graph's budgets.
    /// - Returns: the verified plan and its context.
    /// - Throws: as ``loadGraph(contentsOf:symbols:)`` and ``plan(_:capacity:)``.
    public func plan(modelAt path: String, capacity: Capacity) throws(StowageError) -> PlanningResult {
        let deadline = try startDeadline()
        return try plan(try Self.loadGraph(contentsOf: path, symbols: options.dims), capacity: capacity, source: path,
                        deadline: deadline)
    }

    /// M_R, M_H and M_P of `graph` in its file order, at
    /// ``PlanningOptions/dtypeBytes``.
    /// - Throws: ``StowageError/badInput(source:location:reason:)`` as
    ///   ``plan(_:capacity:)`` does for the graph and options.
    ///
    /// O(tensors + edges).
    public func budgets(for graph: Graph) throws(StowageError) -> Budgets {
        try options.check()
        let sized = try prepare(graph, source: "graph '\(graph.name)'").graph
        return Budgets(ScratchpadBudgets(ScratchpadProblem(graph: sized, schedule: Schedule.default(for: sized), capacity: 0)))
    }

    /// The options checked, and the call's wall-clock deadline started.
    private func startDeadline() throws(StowageError) -> Deadline {
        try options.check()
        return Deadline(seconds: options.timeLimit)
    }

    func plan(_ input: Graph, capacity target: Capacity, source: String, deadline: Deadline) throws(StowageError) -> PlanningResult {
        let (graph, assumedZero) = try prepare(input, source: source)
        if case .bytes(let n) = target, n < 1 {
            throw .badInput(source: "options", location: "scratchpad", reason: "must be at least 1 byte, got \(n)")
        }
        let probe = ScratchpadProblem(graph: graph, schedule: Schedule.default(for: graph), capacity: 0)
        let budgets = Budgets(ScratchpadBudgets(probe))
        let capacity = target.resolved(with: budgets)
        let problem = probe.with(capacity: capacity, alignment: options.alignment)
        let outcome = try ScratchpadRun(options: options, deadline: deadline).plan(problem, budgets: budgets)

        // Every plan is replayed before anyone sees it; a failure is a bug.
        let report = Verifier.verify(outcome.plan, against: graph)
        if let failure = report.failure {
            throw .verificationFailed(method: outcome.plan.method, reason: failure.description)
        }
        return PlanningResult(plan: outcome.plan, graph: graph, capacity: capacity, budgets: budgets,
                              boundScope: outcome.boundScope, orderBound: outcome.orderBound, assumedZeroBytes: assumedZero,
                              stepsVerified: report.stepsReplayed, seconds: deadline.elapsed)
    }

    /// The graph at the options' element size, once every tensor that an
    /// operator touches has a known size; with ``PlanningOptions/UnknownSizes/zero``
    /// the names of those counted as 0 bytes instead. O(tensors + edges).
    func prepare(_ graph: Graph, source: String) throws(StowageError) -> (graph: Graph, assumedZero: [String]) {
        var sized = graph
        if let bytes = options.dtypeBytes {
            do {
                sized = try graph.resizingFloatingPoint(toBytes: bytes)
            } catch {
                throw .badInput(source: source, location: nil, reason: error.description)
            }
        }
        var unknown: [Int] = []
        var seen = Set<Int>()
        for op in sized.operators {
            for t in op.reads + op.outputs where sized.tensors[t].bytes == nil && seen.insert(t).inserted {
                unknown.append(t)
            }
        }
        let names = unknown.map { sized.tensors[$0].name }
        if !names.isEmpty, options.unknownSizes == .error {
            throw .badInput(source: source, location: nil, reason: Self.unknownSizeReason(names, symbols: sized.symbols))
        }
        return (sized, names)
    }

    /// "3 tensors have no known size (a, b, c); bind batch, seq with --dim
    /// NAME=VALUE (dims), or plan them as 0 bytes with --unknown-sizes zero".
    static func unknownSizeReason(_ names: [String], symbols: [String]) -> String {
        let shown = names.prefix(5).map { "'\($0)'" }.joined(separator: ", ") + (names.count > 5 ? ", …" : "")
        let hint = symbols.isEmpty
            ? "give them shapes"
            : "bind \(symbols.joined(separator: ", ")) with --dim NAME=VALUE (\"dims\" in the C API)"
        return "\(names.count) tensor\(names.count == 1 ? " has" : "s have") no known size (\(shown)); \(hint), "
            + "or count them as 0 bytes with --unknown-sizes zero (\"unknownSizes\": \"zero\")"
    }
}
