/// The bytes an operator touches: its distinct inputs, captured inputs and
/// outputs, weights included.
///
/// For a scratchpad that must hold all of an operator's operands while it
/// runs, the largest footprint is a lower bound on the capacity needed under
/// any schedule; an operator above the capacity must be split (tiled) or
/// stream its weights.
extension Graph {
    /// The footprint of operator `o`; unknown sizes count as 0. O(arity).
    public func footprint(ofOperator o: Int) -> Int {
        let op = operators[o]
        var seen: Set<Int> = []
        var total = 0
        for t in op.reads + op.outputs where seen.insert(t).inserted {
            total += tensors[t].bytes ?? 0  // bounded by the graph's total size
        }
        return total
    }

    /// The operator with the largest footprint (the first one on ties) and
    /// that footprint; `nil` for a graph without operators. O(edges).
    public var largestOperator: (index: Int, bytes: Int)? {
        var best: (index: Int, bytes: Int)?
        for o in operators.indices {
            let bytes = footprint(ofOperator: o)
            if bytes > best?.bytes ?? -1 { best = (o, bytes) }
        }
        return best
    }
}
