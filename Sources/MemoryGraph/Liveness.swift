/// Which activations are live at each step of a schedule, and how many
/// bytes that is.
///
/// Rules (those of `Models/reference_figures.py`):
/// - activations are graph inputs (not weights) and operator outputs;
///   weights live elsewhere and are not counted;
/// - an operator output is live from its producer's step, a graph input
///   from step 0;
/// - it stays live through its last reader's step (captured reads by
///   subgraphs count), and a graph output through the last step;
/// - an output nobody reads that is not a graph output is live at its
///   producer's step only (the operator still writes it).
///
/// Tensors of unknown size count as 0 bytes; `unknownSizes` lists them.
public struct Liveness: Sendable {
    public let schedule: Schedule
    /// Per tensor, its lifetime; `nil` for weights.
    public let lifetimes: [Lifetime?]
    /// Live activation bytes at each step.
    public let liveBytes: [Int]
    /// Activations whose size is unknown, counted as 0.
    public let unknownSizes: [Int]

    /// O(tensors + operators + edges); the bytes per step come from a
    /// difference array, so long lifetimes cost nothing extra.
    public init(graph: Graph, schedule: Schedule) {
        let steps = schedule.count
        let stepOf = schedule.stepOf
        let isOutput = Set(graph.outputs)
        var lifetimes = [Lifetime?](repeating: nil, count: graph.tensors.count)
        var delta = [Int](repeating: 0, count: steps + 1)
        var unknown: [Int] = []
        for (t, tensor) in graph.tensors.enumerated() where tensor.kind.isActivation {
            let first = graph.producers[t].map { stepOf[$0] } ?? 0
            var last = first
            if isOutput.contains(t) {
                last = max(first, steps - 1)
            } else {
                for c in graph.consumers(of: t) { last = max(last, stepOf[c]) }
            }
            let lifetime = Lifetime(first: first, last: last)
            lifetimes[t] = lifetime
            guard let bytes = tensor.bytes else { unknown.append(t); continue }
            // The graph's total size fits in Int, so these sums cannot overflow.
            delta[min(lifetime.first, steps)] += bytes
            delta[min(lifetime.upper, steps)] -= bytes
        }
        var live = [Int](repeating: 0, count: steps)
        var running = 0
        for s in 0 ..< steps {
            running += delta[s]
            live[s] = running
        }
        self.schedule = schedule
        self.lifetimes = lifetimes
        self.liveBytes = live
        self.unknownSizes = unknown
    }

    /// The largest live byte count over all steps (0 for an empty graph):
    /// a lower bound on the memory any allocation for this schedule needs.
    public var peakBytes: Int { liveBytes.max() ?? 0 }

    /// The first step at which the peak is reached.
    public var peakStep: Int? {
        guard let peak = liveBytes.max() else { return nil }
        return liveBytes.firstIndex(of: peak)
    }

    /// The activations live at `step`. O(tensors).
    public func live(at step: Int) -> [Int] {
        lifetimes.indices.filter { lifetimes[$0]?.contains(step: step) ?? false }
    }
}
