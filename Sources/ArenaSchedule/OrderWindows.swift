/// ASAP and ALAP steps of every operator when one operator runs per step:
/// an operator cannot run before all its ancestors nor after all its
/// descendants, so it runs at a step in `[ancestors, n − 1 − descendants]`.
/// The ILPs create variables only inside these windows.
struct OrderWindows: Sendable {
    let earliest: [Int]
    let latest: [Int]

    init(_ reachability: Reachability) {
        let n = reachability.count
        earliest = (0 ..< n).map { reachability.ancestorCount($0) }
        latest = (0 ..< n).map { n - 1 - reachability.descendantCount($0) }
    }

    func steps(_ o: Int) -> ClosedRange<Int> { earliest[o] ... latest[o] }

    /// (operator, step) pairs inside the windows.
    var pairCount: Int { zip(earliest, latest).reduce(0) { $0 + $1.1 - $1.0 + 1 } }

    /// The steps at which arena tensor `a` may be live: from its
    /// producer's earliest step to the latest step of its last reader (the
    /// last step for a graph output).
    func liveSteps(_ problem: ArenaProblem, _ a: Int) -> ClosedRange<Int> {
        let first = earliest[problem.producer[a]]
        if problem.pinned[a] { return first ... max(first, earliest.count - 1) }
        let last = problem.consumers[a].reduce(latest[problem.producer[a]]) { max($0, latest[$1]) }
        return first ... last
    }
}
