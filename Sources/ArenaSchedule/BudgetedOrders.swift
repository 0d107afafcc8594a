import MILP

/// Orders whose peak stays within a budget, other than the one the exact
/// search returned: when that order's addresses reach above its peak,
/// another order of the same (or a slightly larger) peak may pack lower.
///
/// A randomised depth-first search over down-sets: from each state it
/// tries the ready operators whose step stays within the budget, in a
/// seeded random order, and remembers the states from which no completion
/// fits (so no state is explored twice after failing). Each complete order
/// found is kept; the next dive starts again from the first step with new
/// random choices. Every state costs O(operators + its reads) to expand;
/// the search stops after `nodeLimit` operator runs or at the deadline.
/// Memory: the failed states' bitsets, at most `nodeLimit` of them.
struct BudgetedOrders {
    let problem: ArenaProblem

    func orders(budget: Int, count: Int, seed: UInt64, nodeLimit: Int, deadline: Deadline) -> [[Int]] {
        let n = problem.operatorCount
        guard n > 0 else { return [[]] }
        let words = max(1, (n + 63) / 64)
        var random = SearchRandom(seed: seed)
        var done = [UInt64](repeating: 0, count: words)
        var waitingPredecessors = problem.predecessors.map(\.count)
        var waitingReaders = problem.consumers.map(\.count)
        var live = 0
        var order: [Int] = []
        var failed = Set<[UInt64]>()
        var found: [[Int]] = []
        var seen = Set<[Int]>()
        var nodes = 0

        func freed(_ o: Int) -> Int {
            problem.reads[o].reduce(0) { $0 + (!problem.pinned[$1] && waitingReaders[$1] == 1 ? problem.bytes[$1] : 0) }
        }
        func candidates() -> [Int] {
            var result = (0 ..< n).filter { o in
                done[o / 64] & (1 << UInt64(o % 64)) == 0 && waitingPredecessors[o] == 0 && live + problem.outputBytes[o] <= budget
            }
            result.shuffle(using: &random)
            return result
        }
        func run(_ o: Int) {
            live += problem.keptBytes[o] - freed(o)
            for a in problem.reads[o] { waitingReaders[a] -= 1 }
            for s in problem.successors[o] { waitingPredecessors[s] -= 1 }
            done[o / 64] |= 1 << UInt64(o % 64)
            order.append(o)
        }
        func undo() {
            let o = order.removeLast()
            done[o / 64] &= ~(1 << UInt64(o % 64))
            for s in problem.successors[o] { waitingPredecessors[s] += 1 }
            for a in problem.reads[o] { waitingReaders[a] += 1 }
            live -= problem.keptBytes[o] - freed(o)
        }

        dives: while found.count < count && nodes < nodeLimit && !deadline.expired {
            // Frames: the candidates of each state on the path and the next to try.
            var frames: [(options: [Int], next: Int)] = [(candidates(), 0)]
            while let top = frames.last {
                if order.count == n {
                    if seen.insert(order).inserted { found.append(order) }
                    while !order.isEmpty { undo() }
                    continue dives
                }
                if top.next == top.options.count || nodes >= nodeLimit {
                    if top.next == top.options.count { failed.insert(done) }
                    frames.removeLast()
                    if !order.isEmpty { undo() }
                    if nodes >= nodeLimit { break }
                    continue
                }
                let o = top.options[top.next]
                frames[frames.count - 1].next += 1
                run(o)
                nodes += 1
                if failed.contains(done) {
                    undo()
                    continue
                }
                frames.append((candidates(), 0))
            }
            break
        }
        return found
    }
}
