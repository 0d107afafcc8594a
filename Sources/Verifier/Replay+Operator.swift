/// Running a step's operator.
extension Replay {
    /// Checks in order: the operator exists; it has not run (unless the plan
    /// declares recomputation); the producer of every tensor it reads has run; every tensor it reads is valid in the
    /// compute tier (and, in real-memory mode, holds the bytes last written
    /// for it); every tensor it writes is allocated there. Afterwards its
    /// outputs are valid in the compute tier and nowhere else.
    /// O(reads + writes), plus O(bytes) in real-memory mode.
    mutating func runOperator(_ o: Int, step s: Int) throws(VerificationFailure) {
        guard o >= 0, o < graph.operators.count else {
            throw fail(.malformed, tensors: [], "operator index \(o) is out of range (the graph has \(graph.operators.count) operators)")
        }
        let op = graph.operators[o]
        if ranAt[o] >= 0 && !allowsRecomputation {
            throw fail(.badOrder, tensors: [], "operator '\(op.name)' runs a second time (it ran at step \(ranAt[o]))")
        }
        for t in op.reads {
            if let p = graph.producers[t], ranAt[p] < 0 {
                throw fail(.badOrder, tensors: [t], "operator '\(op.name)' reads '\(name(t))' before its producer '\(graph.operators[p].name)' has run")
            }
        }
        let computeName = tiers[compute].name
        for t in op.reads where !valid[compute * width + t] {
            let addressed = tiers[compute].addressed && allocated[compute * width + t]
            throw fail(.notResident, tensors: [t], addresses: addressed ? [range(compute, t)] : [],
                       "operator '\(op.name)' reads '\(name(t))', which holds no valid data in '\(computeName)'"
                           + (allocated[compute * width + t] ? " (it is allocated but was never loaded or written there)" : ""))
        }
        var readSeeds: [UInt64] = []
        if memory != nil {
            readSeeds.reserveCapacity(op.reads.count)
            for t in op.reads {
                let cell = compute * width + t
                let seed = contents[cell]
                if allocated[cell], memory?.hasArena(compute) == true,
                   let address = memory?.firstDifference(seed: seed, tier: compute, offset: offsets[cell], count: bytes(t)) {
                    let r = range(compute, t)
                    throw fail(.overwritten, tensors: [t], addresses: [r],
                               "operator '\(op.name)' reads '\(name(t))' at [\(r[0]), \(r[1])) in '\(computeName)', but its bytes were overwritten (first at address \(address))")
                }
                readSeeds.append(seed)
            }
        }
        for t in op.outputs where !allocated[compute * width + t] {
            throw fail(.notAllocated, tensors: [t], "operator '\(op.name)' writes '\(name(t))', which has no space allocated in '\(computeName)'")
        }
        if ranAt[o] < 0 { ranAt[o] = s }
        computeCost += graph.operators[o].executionCost
        for (position, t) in op.outputs.enumerated() {
            for i in tiers.indices { valid[i * width + t] = false }
            let cell = compute * width + t
            valid[cell] = true
            if memory != nil {
                let seed = RealMemory.outputSeed(op: o, position: position, readSeeds: readSeeds)
                // A recomputation must give the bytes of the first computation.
                if let first = firstSeeds[t], first != seed {
                    throw fail(.overwritten, tensors: [t],
                               "operator '\(op.name)' computes '\(name(t))' again, but not the bytes of its first computation (an input it read differs)")
                }
                if firstSeeds[t] == nil { firstSeeds[t] = seed }
                contents[cell] = seed
                if memory?.hasArena(compute) == true {
                    let offset = offsets[cell], count = bytes(t)
                    memory?.write(seed: seed, tier: compute, offset: offset, count: count)
                }
            }
        }
    }
}
