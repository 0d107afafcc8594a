import ArenaSchedule
import Foundation

/// The smallest arena found for a graph: a single-tier plan (operator
/// order and an offset for every tensor) that passed the verifier, and how
/// close it is to the best any order can do.
public struct ScheduleResult: Sendable {
    /// The format version of ``json(includingPlan:)``.
    public static let reportVersion = 1

    /// One addressed tier, `arena`, home and compute at once: steps
    /// allocate each operator's outputs at their offsets and free what was
    /// read for the last time; nothing is copied. Replayed against
    /// ``graph`` before it was returned.
    public var plan: Plan
    /// The graph the plan belongs to (the input with
    /// ``ScheduleOptions/dtypeBytes`` applied).
    public var graph: Graph
    /// Live arena bytes at the peak of the chosen order (graph inputs and
    /// weights are the caller's and not counted).
    public var peakBytes: Int
    /// The arena: the highest offset + size; at least ``peakBytes``.
    public var height: Int
    /// A lower bound on the height of every order and placement.
    public var lowerBound: Int
    /// The lowest peak of any order found, and a bound on the peak of
    /// every order.
    public var minimumPeak: Int
    public var peakLowerBound: Int
    /// The graph's own order, and the portfolio's packing of it.
    public var fileOrderPeak: Int
    public var fileOrderHeight: Int
    /// Who found the chosen order (`given`, `xla-list`, `inductor`, `dp`,
    /// `dp-alternative`, `ilp`, `joint-ilp`) and what ran.
    public var method: String
    public var methodsRun: [String]
    /// The allocator method that made the offsets.
    public var allocator: String
    /// Peaks of the heuristic orders, and the lower bounds computed.
    public var heuristicPeaks: [String: Int]
    public var bounds: [String: Int]
    /// States the exact search stored, if it ran, and why it stopped short.
    public var states: Int?
    public var stop: String?
    /// Wall-clock seconds from the request to the verified plan.
    public var seconds: Double

    /// The height is proven the smallest of every order and placement.
    public var optimal: Bool { height <= lowerBound }
    /// (height − lowerBound) / height, 0 for an empty arena.
    public var gap: Double { height > 0 ? Double(height - lowerBound) / Double(height) : 0 }
    /// The lower bounds hold for every operator order (the ILPs here use
    /// one operator per step, which restricts no order).
    public var boundScope: String { "all-orders" }

    /// The report `stowage schedule --json` prints (Schemas/schedule.schema.json),
    /// one line with sorted keys; with `includingPlan`, the plan under
    /// `"plan"` too (what `stowage_schedule` returns).
    public func json(includingPlan: Bool = false) -> Data {
        var report = ScheduleReport(self)
        if includingPlan { report.plan = plan }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Integers, booleans, strings and finite numbers always encode.
        return (try? encoder.encode(report)) ?? Data("{}".utf8)
    }
}

/// The keys of ``ScheduleResult/json(includingPlan:)``.
struct ScheduleReport: Encodable {
    var version = ScheduleResult.reportVersion
    var graph: String
    var operators: Int
    var peakBytes: Int
    var height: Int
    var lowerBound: Int
    var optimal: Bool
    var gap: Double
    var boundScope: String
    var minimumPeak: Int
    var peakLowerBound: Int
    var peakOptimal: Bool
    var fileOrderPeak: Int
    var fileOrderHeight: Int
    var method: String
    var methodsRun: [String]
    var allocator: String
    var heuristicPeaks: [String: Int]
    var bounds: [String: Int]
    var states: Int?
    var stop: String?
    var seconds: Double
    var plan: Plan?

    init(_ result: ScheduleResult) {
        graph = result.graph.name
        operators = result.graph.operators.count
        peakBytes = result.peakBytes
        height = result.height
        lowerBound = result.lowerBound
        optimal = result.optimal
        gap = (result.gap * 1e6).rounded() / 1e6
        boundScope = result.boundScope
        minimumPeak = result.minimumPeak
        peakLowerBound = result.peakLowerBound
        peakOptimal = result.minimumPeak <= result.peakLowerBound
        fileOrderPeak = result.fileOrderPeak
        fileOrderHeight = result.fileOrderHeight
        method = result.method
        methodsRun = result.methodsRun
        allocator = result.allocator
        heuristicPeaks = result.heuristicPeaks
        bounds = result.bounds
        states = result.states
        stop = result.stop
        seconds = (result.seconds * 1e6).rounded() / 1e6
    }
}
