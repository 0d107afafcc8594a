import MILP

/// A lower bound on the peak of every order from minimum cuts: when
/// operator `v` runs, the operators already run form a down-set `D` that
/// holds every ancestor of `v` and neither `v` nor any descendant, and the
/// live bytes are `live(D)` (tensors written in `D` that a graph output is,
/// or that an operator outside `D` reads) plus `v`'s outputs. The smallest
/// `live(D)` over all such `D` is a minimum closure, found as a minimum
/// s–t cut: an operator on the source side is in `D`; a tensor costs its
/// bytes when its producer is in `D` and some reader is not (a node per
/// tensor, joined to its readers by uncuttable edges); uncuttable edges
/// keep `D` a down-set, hold `v`'s predecessors in it and `v` out.
///
/// It is at least the ancestor cut (which counts only the tensors every
/// such `D` must keep), and often more: the cut also weighs what the
/// operators beside `v` keep alive, whichever side they are on.
///
/// One maximum flow per operator on a network of operators + tensors + 2
/// nodes and O(edges) arcs, operators with the largest ancestor cut first;
/// the work stops at the deadline (the bound found so far stands).
public enum MinimumCutBound {
    /// Graphs above this many operators are not tried.
    static let maximumOperators = 2_000

    /// The bound for `problem` (0 when it has more than ``maximumOperators``
    /// operators or more than 8,192 for the reachability it orders by).
    public static func bound(_ problem: ArenaProblem, deadline: Deadline = .none) -> Int {
        guard let reachability = Reachability(problem: problem, order: problem.givenOrder) else { return 0 }
        return bound(problem, certain: reachability.certainLiveBytes(problem), deadline: deadline)
    }

    /// - Parameter certain: each operator's ancestor cut, to try the most
    ///   promising operators first.
    static func bound(_ problem: ArenaProblem, certain: [Int], deadline: Deadline) -> Int {
        let n = problem.operatorCount
        guard n <= maximumOperators, certain.count == n else { return 0 }
        let tensors = problem.bytes.count
        let source = n + tensors, sink = source + 1
        let infinite = problem.bytes.reduce(1) { $0 + $1 }
        var best = 0
        for v in (0 ..< n).sorted(by: { certain[$0] > certain[$1] }) {
            if deadline.expired { break }
            var network = MaximumFlow(nodes: n + tensors + 2)
            for a in 0 ..< tensors where problem.bytes[a] > 0 {
                let node = n + a
                network.addEdge(problem.producer[a], node, capacity: problem.bytes[a])
                if problem.pinned[a] { network.addEdge(node, sink, capacity: infinite) }
                for r in problem.consumers[a] { network.addEdge(node, r, capacity: infinite) }
            }
            for w in 0 ..< n {
                for u in problem.predecessors[w] { network.addEdge(w, u, capacity: infinite) }
            }
            for u in problem.predecessors[v] { network.addEdge(source, u, capacity: infinite) }
            network.addEdge(v, sink, capacity: infinite)
            let cut = network.flow(from: source, to: sink, limit: infinite)
            best = max(best, min(cut, infinite - 1) + problem.outputBytes[v])
        }
        return best
    }
}
