extension RematProblem {
    /// Per tensor, the positions in ``order`` of the operators that read
    /// it, sorted: what the on-demand schedules and the greedy eviction
    /// walk with a cursor per tensor to find a value's next use.
    /// O(operators + reads · log reads).
    func readPositions() -> [[Int]] {
        var position = [Int](repeating: 0, count: operatorCount)
        for (p, o) in order.enumerated() { position[o] = p }
        return readers.map { $0.map { position[$0] }.sorted() }
    }
}
