import MemoryGraph
import Plan

/// The checks made before any step is replayed: that the plan belongs to
/// this graph and that its tiers make sense. O(tensors + tiers).
enum PlanPreflight {
    /// The plan must name this graph: the same numbers of operators and
    /// tensors, a tensor table that matches the graph's names, sizes (unknown
    /// as 0) and kinds entry by entry, and the same fingerprint. The graph's
    /// name is not compared: the fingerprint leaves it out on purpose (it
    /// comes from a file name), so a renamed file still verifies.
    static func checkIdentity(_ plan: Plan, against graph: Graph) -> VerificationFailure? {
        func wrong(_ message: String, tensors: [String] = []) -> VerificationFailure {
            VerificationFailure(kind: .wrongGraph, tensors: tensors, message: message)
        }
        if plan.graph.operators != graph.operators.count {
            return wrong("the plan was made for a graph with \(plan.graph.operators) operators; '\(graph.name)' has \(graph.operators.count)")
        }
        if plan.graph.tensors != graph.tensors.count {
            return wrong("the plan was made for a graph with \(plan.graph.tensors) tensors; '\(graph.name)' has \(graph.tensors.count)")
        }
        if plan.tensors.count != graph.tensors.count {
            return wrong("the plan's tensor table has \(plan.tensors.count) entries; '\(graph.name)' has \(graph.tensors.count) tensors")
        }
        for (t, (entry, tensor)) in zip(plan.tensors, graph.tensors).enumerated() {
            if entry.name != tensor.name {
                return wrong("tensor #\(t) is '\(entry.name)' in the plan but '\(tensor.name)' in the graph", tensors: [tensor.name])
            }
            let bytes = tensor.bytes ?? 0
            if entry.bytes != bytes {
                return wrong("tensor '\(tensor.name)' has \(entry.bytes) bytes in the plan but \(bytes) in the graph", tensors: [tensor.name])
            }
            if entry.kind != tensor.kind {
                return wrong("tensor '\(tensor.name)' is a\(entry.kind == .input ? "n" : "") \(entry.kind.rawValue) in the plan but a\(tensor.kind == .input ? "n" : "") \(tensor.kind.rawValue) in the graph",
                             tensors: [tensor.name])
            }
        }
        let fingerprint = GraphFingerprint(graph).hex
        if plan.graph.fingerprint != fingerprint {
            return wrong("the plan's graph fingerprint is \(plan.graph.fingerprint); '\(graph.name)' has \(fingerprint)")
        }
        return nil
    }

    /// The version is known; tier names are unique; alignments are at least
    /// 1 and capacities not negative; the home and compute tiers exist.
    static func checkStructure(_ plan: Plan) -> VerificationFailure? {
        func malformed(_ message: String) -> VerificationFailure {
            VerificationFailure(kind: .malformed, message: message)
        }
        if plan.version != Plan.currentVersion {
            return malformed("plan version \(plan.version); this verifier reads version \(Plan.currentVersion)")
        }
        var seen: Set<String> = []
        for tier in plan.tiers {
            guard seen.insert(tier.name).inserted else { return malformed("tier '\(tier.name)' is declared twice") }
            if tier.alignment < 1 { return malformed("tier '\(tier.name)' has alignment \(tier.alignment); it must be at least 1") }
            if let capacity = tier.capacity, capacity < 0 {
                return malformed("tier '\(tier.name)' has a negative capacity (\(capacity))")
            }
        }
        if !seen.contains(plan.homeTier) { return malformed("the home tier '\(plan.homeTier)' is not among the plan's tiers") }
        if !seen.contains(plan.computeTier) { return malformed("the compute tier '\(plan.computeTier)' is not among the plan's tiers") }
        return nil
    }
}
