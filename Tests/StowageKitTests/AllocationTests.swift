import Testing
@testable import StowageKit

@Suite("Planner.allocate: offset allocation through the facade")
struct AllocationTests {
    /// Pairwise, by definition: no two buffers alive at the same step
    /// overlap in memory, offsets are aligned and within the capacity.
    /// O(n²), independent of the library's validator.
    func placementIsValid(_ buffers: [Buffer], _ offsets: [Int], capacity: Int?) -> Bool {
        guard offsets.count == buffers.count else { return false }
        for (i, a) in buffers.enumerated() {
            guard offsets[i] >= 0, offsets[i] % a.alignment == 0 else { return false }
            if let capacity, offsets[i] + a.size > capacity { return false }
            if let fixed = a.fixedOffset, fixed != offsets[i] { return false }
            for j in buffers.indices where j > i {
                let b = buffers[j]
                let together = a.lower < b.upper && b.lower < a.upper
                let overlap = offsets[i] < offsets[j] + b.size && offsets[j] < offsets[i] + a.size && a.size > 0 && b.size > 0
                if together && overlap { return false }
            }
        }
        return true
    }

    @Test("random problems: valid offsets, the height they reach, a bound below it", arguments: 0 ..< 8)
    func random(seed: Int) throws {
        var rng = SplitMix(seed: UInt64(seed))
        let buffers = (0 ..< 40).map { i -> Buffer in
            let lower = Int(rng.next() % 30)
            return Buffer(id: "b\(i)", lower: lower, upper: lower + 1 + Int(rng.next() % 8),
                          size: 1 + Int(rng.next() % 100), alignment: [1, 4, 16][Int(rng.next() % 3)])
        }
        let result = try Planner().allocate(buffers, options: AllocationOptions(timeLimit: 2))
        #expect(placementIsValid(buffers, result.offsets, capacity: nil))
        #expect(result.height == zip(buffers, result.offsets).map { $0.size + $1 }.max())
        #expect(result.lowerBound <= result.height)
        // Any placement is at least as tall as the most bytes alive at one step.
        let peak = (0 ..< 40).map { t in buffers.filter { $0.lower <= t && t < $0.upper }.map(\.size).reduce(0, +) }.max() ?? 0
        #expect(result.height >= peak)
    }

    @Test("with a capacity and the ILP, offsets stay below it")
    func capacityILP() throws {
        let buffers = [Buffer(id: "a", lower: 0, upper: 2, size: 64), Buffer(id: "b", lower: 1, upper: 3, size: 32),
                       Buffer(id: "c", lower: 2, upper: 4, size: 64), Buffer(id: "d", lower: 3, upper: 5, size: 32, fixedOffset: 64)]
        for solver in PlanningOptions.SolverKind.allCases {
            let result = try Planner().allocate(buffers, capacity: 96, options: AllocationOptions(method: .ilp, solver: solver))
            #expect(placementIsValid(buffers, result.offsets, capacity: 96))
            #expect(result.offsets[3] == 64)
        }
    }

    @Test("too small a capacity is infeasible; malformed buffers are bad input naming the buffer")
    func errors() throws {
        let buffers = [Buffer(id: "a", lower: 0, upper: 2, size: 64), Buffer(id: "b", lower: 1, upper: 3, size: 64)]
        #expect {
            try Planner().allocate(buffers, capacity: 100)
        } throws: { error in
            guard case .infeasible(let capacity, _) = error as? StowageError else { return false }
            return capacity == 100
        }
        let bad: [([Buffer], String)] = [
            ([Buffer(id: "a", lower: 2, upper: 2, size: 1)], "buffer 'a'"),
            ([Buffer(id: "a", lower: 0, upper: 2, size: -1)], "buffer 'a'"),
            ([Buffer(id: "a", lower: 0, upper: 1, size: 1), Buffer(id: "a", lower: 0, upper: 1, size: 1)], "buffer 'a'"),
            ([Buffer(id: "q", lower: 0, upper: 1, size: 8, alignment: 4, fixedOffset: 2)], "buffer 'q'"),
        ]
        for (buffers, location) in bad {
            #expect {
                try Planner().allocate(buffers)
            } throws: { error in
                guard case .badInput(_, let at, _) = error as? StowageError else { return false }
                return at == location
            }
        }
        #expect(throws: StowageError.self) { try Planner().allocate(buffers, capacity: -1) }
    }
}

/// A small deterministic generator for test data.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
