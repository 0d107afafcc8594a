import Foundation
import MILP
import Verifier

/// How ``Planner/verify(planAt:modelAt:options:)`` reads the model and
/// replays the plan. The graph options are those of ``PlanningOptions``,
/// so that a plan verifies against the graph it was made for.
public struct VerificationOptions: Sendable {
    /// Also execute the plan on real byte arenas, when they fit in
    /// ``memoryLimit``; larger plans are verified symbolically (the report
    /// says so).
    public var realMemory: Bool
    /// Most bytes the real arenas and the reference execution may take.
    public var memoryLimit: Int
    public var dtypeBytes: Int?
    public var dims: [String: Int]
    public var unknownSizes: PlanningOptions.UnknownSizes

    public init(realMemory: Bool = false, memoryLimit: Int = 1 << 30, dtypeBytes: Int? = nil, dims: [String: Int] = [:],
                unknownSizes: PlanningOptions.UnknownSizes = .error) {
        self.realMemory = realMemory
        self.memoryLimit = memoryLimit
        self.dtypeBytes = dtypeBytes
        self.dims = dims
        self.unknownSizes = unknownSizes
    }
}

extension Planner {
    /// Replays a plan file against a model file and reports the first thing
    /// wrong with it (``VerificationReport/failure``), or that it holds.
    /// - Throws: ``StowageError/badInput(source:location:reason:)`` when
    ///   either file cannot be read or the options are out of range; a plan
    ///   that fails verification is a report, not an error.
    ///
    /// O(file sizes) to read; the replay as ``Verifier``.
    public static func verify(planAt planPath: String, modelAt modelPath: String,
                              options: VerificationOptions = VerificationOptions()) throws(StowageError) -> VerificationReport {
        // Real arenas are allocated in this process: never more than half of
        // the machine's memory (a plan with offsets near 2^40 under a large
        // limit would otherwise ask for a terabyte and abort).
        let ceiling = Int(min(ProcessInfo.processInfo.physicalMemory / 2, UInt64(1) << 40))
        guard options.memoryLimit >= 0, options.memoryLimit <= ceiling else {
            throw .badInput(source: "options", location: "memoryLimit",
                            reason: "must be between 0 and \(ceiling) bytes (half of this machine's memory), got \(options.memoryLimit)")
        }
        let planning = PlanningOptions(dtypeBytes: options.dtypeBytes, dims: options.dims, unknownSizes: options.unknownSizes)
        try planning.check()
        let graph = try Planner(options: planning).prepare(try loadGraph(contentsOf: modelPath, symbols: options.dims),
                                                          source: modelPath).graph
        let plan: Plan
        do {
            plan = try PlanCodec.read(contentsOf: planPath)
        } catch {
            throw .badInput(source: error.file, location: nil, reason: error.reason)
        }
        return Verifier.verify(plan, against: graph, mode: options.realMemory ? .realMemory(limitBytes: options.memoryLimit) : .symbolic)
    }
}
