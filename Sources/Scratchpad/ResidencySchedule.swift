/// Turns residency stretches and the set of stored activations into the
/// per-step action lists of a plan: before a stretch's first step, allocate
/// (and load, unless the step produces the tensor); after its last step,
/// free; right after a tensor is produced, store it when it is a graph
/// output or chosen to be stored. O(residencies + steps).
enum ResidencySchedule {
    static func outcome(residencies: [Residency], stored: Set<Int>, problem: ScratchpadProblem) -> ReplacementSimulation.Outcome {
        let steps = problem.need.count
        var before = [[PendingAction]](repeating: [], count: steps)
        var frees = [[PendingAction]](repeating: [], count: steps)
        var stores = [[PendingAction]](repeating: [], count: steps)
        var loaded = 0, storedBytes = 0
        for (r, residency) in residencies.enumerated() {
            before[residency.first].append(.allocate(residency: r))
            if residency.loaded {
                before[residency.first].append(.load(residency: r))
                loaded += problem.bytes(residency.tensor)
            }
            frees[residency.last].append(.free(residency: r))
        }
        let stepOf = problem.schedule.stepOf
        for (t, producer) in problem.graph.producers.enumerated() {
            guard let producer, problem.isGraphOutput[t] || stored.contains(t) else { continue }
            stores[stepOf[producer]].append(.store(tensor: t))
            storedBytes += problem.bytes(t)
        }
        let after = (0 ..< steps).map { stores[$0] + frees[$0] }
        return ReplacementSimulation.Outcome(residencies: residencies, before: before, after: after,
                                             loadedBytes: loaded, storedBytes: storedBytes)
    }
}
