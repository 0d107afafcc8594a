import Plan

/// The three memory actions. Fields that do not belong to an action's kind
/// (an offset on a copy or a free, a source tier on an allocation or a
/// free, an offset in a tier without addresses) make the plan malformed:
/// they mean the planner believed something that is not so.
extension Replay {
    mutating func perform(_ action: PlanAction) throws(VerificationFailure) {
        switch action.kind {
        case .allocate: try allocate(action)
        case .copy: try copy(action)
        case .free: try free(action)
        }
    }

    /// Checks in order: tier, tensor, offset (present exactly in addressed
    /// tiers, not negative, aligned), not already allocated, inside the
    /// capacity, no overlap with a range held, total under the capacity.
    /// The new space holds no valid data: a tensor valid in the tier before
    /// (an input in its home tier) is no longer. Expected O(log ranges held).
    private mutating func allocate(_ action: PlanAction) throws(VerificationFailure) {
        let i = try tier(action.tier, role: "allocation")
        let t = try tensor(action.tensor)
        let tierInfo = tiers[i]
        let size = bytes(t)
        if action.from != nil {
            throw fail(.malformed, tensors: [t], "the allocation of '\(name(t))' in '\(tierInfo.name)' names a source tier")
        }
        var start = 0, end = 0
        if tierInfo.addressed {
            guard let offset = action.offset else {
                throw fail(.malformed, tensors: [t], "'\(name(t))' is allocated in the addressed tier '\(tierInfo.name)' without an offset")
            }
            guard offset >= 0 else {
                throw fail(.malformed, tensors: [t], "'\(name(t))' is allocated in '\(tierInfo.name)' at the negative offset \(offset)")
            }
            guard offset % tierInfo.alignment == 0 else {
                throw fail(.malformed, tensors: [t], addresses: [[offset, offset &+ size]],
                           "'\(name(t))' is allocated in '\(tierInfo.name)' at offset \(offset), not a multiple of the alignment \(tierInfo.alignment)")
            }
            start = offset
            let (sum, overflow) = offset.addingReportingOverflow(size)
            end = sum
            if overflow {
                throw fail(.capacityExceeded, tensors: [t],
                           "'\(name(t))' (\(size) bytes) at offset \(offset) in '\(tierInfo.name)' ends past the largest address")
            }
        } else if let offset = action.offset {
            throw fail(.malformed, tensors: [t], "'\(name(t))' is given offset \(offset) in '\(tierInfo.name)', which has no addresses")
        }
        let cell = i * width + t
        if allocated[cell] {
            throw fail(.doubleAllocation, tensors: [t], addresses: tierInfo.addressed ? [range(i, t)] : [],
                       "'\(name(t))' is allocated in '\(tierInfo.name)' again, without a free in between")
        }
        if tierInfo.addressed {
            if let capacity = tierInfo.capacity, end > capacity {
                throw fail(.capacityExceeded, tensors: [t], addresses: [[start, end]],
                           "'\(name(t))' at [\(start), \(end)) in '\(tierInfo.name)' ends past its capacity of \(capacity) bytes")
            }
            if checksOverlaps, size > 0, let neighbour = maps[i].lastRange(startingBefore: end), neighbour.end > start {
                throw fail(.overlap, tensors: [t, neighbour.owner], addresses: [[start, end], [neighbour.start, neighbour.end]],
                           "'\(name(t))' at [\(start), \(end)) in '\(tierInfo.name)' overlaps '\(name(neighbour.owner))' at [\(neighbour.start), \(neighbour.end)), which is still allocated")
            }
        }
        let (total, overflow) = used[i].addingReportingOverflow(size)
        if let capacity = tierInfo.capacity, overflow || total > capacity {
            throw fail(.capacityExceeded, tensors: [t], addresses: tierInfo.addressed ? [[start, end]] : [],
                       "allocating '\(name(t))' (\(size) bytes) brings '\(tierInfo.name)' to \(overflow ? "more than Int.max" : String(total)) bytes, over its capacity of \(capacity)")
        }
        if overflow {
            throw fail(.capacityExceeded, tensors: [t], "the bytes allocated in '\(tierInfo.name)' overflow a 64-bit count")
        }
        allocated[cell] = true
        valid[cell] = false
        offsets[cell] = start
        if i == home { stayEnds(cell) } else { stayBegins(cell, loaded: false) }
        if tierInfo.addressed && size > 0 { maps[i].insert(.init(start: start, end: end, owner: t)) }
        used[i] = total
        peak[i] = max(peak[i], total)
        if tierInfo.addressed { height[i] = max(height[i], end) }
    }

    /// The tensor must be valid in the source and allocated in the
    /// destination (unless the destination is the home tier); source and
    /// destination differ. Counts the bytes on the link, and as compulsory
    /// when it is the first load (copy into the compute tier) of an input or
    /// weight some operator reads, or the first store (copy into the home
    /// tier) of a graph output. O(1), plus O(bytes) in real-memory mode.
    private mutating func copy(_ action: PlanAction) throws(VerificationFailure) {
        let from = try tier(action.from, role: "copy source")
        let to = try tier(action.tier, role: "copy destination")
        let t = try tensor(action.tensor)
        let size = bytes(t)
        let link = PlanMetrics.link(from: tiers[from].name, to: tiers[to].name)
        if action.offset != nil {
            throw fail(.malformed, tensors: [t], "the copy of '\(name(t))' over \(link) carries an offset")
        }
        if from == to {
            throw fail(.malformed, tensors: [t], "'\(name(t))' is copied from '\(tiers[from].name)' to itself")
        }
        if !valid[from * width + t] {
            throw fail(.notResident, tensors: [t], addresses: tiers[from].addressed && allocated[from * width + t] ? [range(from, t)] : [],
                       "'\(name(t))' is copied over \(link) but holds no valid data in '\(tiers[from].name)'")
        }
        if to != home && !allocated[to * width + t] {
            throw fail(.notAllocated, tensors: [t], "'\(name(t))' is copied over \(link) but has no space allocated in '\(tiers[to].name)'")
        }
        if memory != nil { try moveBytes(t, from: from, to: to) }
        valid[to * width + t] = true
        if to == home, stayStart[from * width + t] >= 0 { stayStored[from * width + t] = true }
        if to == home { stayBegins(to * width + t, loaded: true) } else if stayStart[to * width + t] >= 0 { stayLoaded[to * width + t] = true }

        let l = from * tiers.count + to
        let (onLink, linkOverflow) = moved[l, default: 0].addingReportingOverflow(size)
        let (total, totalOverflow) = totalMoved.addingReportingOverflow(size)
        if linkOverflow || totalOverflow {
            throw fail(.malformed, tensors: [t], "the bytes moved overflow a 64-bit count")
        }
        moved[l] = onLink
        totalMoved = total
        let kind = graph.tensors[t].kind
        if to == compute && kind != .activation && readByOperators[t] && !loaded[t] {
            loaded[t] = true
            compulsory += size
        } else if to == home && isGraphOutput[t] && !stored[t] {
            stored[t] = true
            compulsory += size
        }
    }

    /// Real-memory part of a copy: the source bytes must be what was last
    /// written for the tensor; they then land in the destination arena (or
    /// the destination records their seed).
    private mutating func moveBytes(_ t: Int, from: Int, to: Int) throws(VerificationFailure) {
        // Mutations go through `memory?.` so the arenas are changed in place,
        // never copied.
        guard let hasSourceArena = memory?.hasArena(from), let hasDestinationArena = memory?.hasArena(to) else { return }
        let seed = contents[from * width + t]
        let size = bytes(t)
        let sourceInArena = hasSourceArena && allocated[from * width + t]
        if sourceInArena {
            let offset = offsets[from * width + t]
            if let address = memory?.firstDifference(seed: seed, tier: from, offset: offset, count: size) {
                throw fail(.overwritten, tensors: [t], addresses: [range(from, t)],
                           "'\(name(t))' is copied out of '\(tiers[from].name)' but its bytes at [\(offset), \(offset + size)) were overwritten (first at address \(address))")
            }
        }
        if hasDestinationArena && allocated[to * width + t] {
            let sourceOffset = offsets[from * width + t], destinationOffset = offsets[to * width + t]
            if sourceInArena {
                memory?.move(from: from, at: sourceOffset, to: to, at: destinationOffset, count: size)
            } else {
                memory?.write(seed: seed, tier: to, offset: destinationOffset, count: size)
            }
        }
        contents[to * width + t] = seed
    }

    /// The tensor must be allocated in the tier; its space is released and
    /// it is no longer valid there. Expected O(log ranges held).
    private mutating func free(_ action: PlanAction) throws(VerificationFailure) {
        let i = try tier(action.tier, role: "free")
        let t = try tensor(action.tensor)
        if action.from != nil || action.offset != nil {
            throw fail(.malformed, tensors: [t], "the free of '\(name(t))' in '\(tiers[i].name)' carries a source tier or an offset")
        }
        let cell = i * width + t
        guard allocated[cell] else {
            throw fail(.notAllocated, tensors: [t], "'\(name(t))' is freed from '\(tiers[i].name)' where it is not allocated")
        }
        if tiers[i].addressed && bytes(t) > 0 { maps[i].remove(start: offsets[cell], owner: t) }
        allocated[cell] = false
        valid[cell] = false
        used[i] -= bytes(t)
        stayEnds(cell)
    }
}
