import Testing
@testable import Allocation

@Suite struct ValidatorTests {
    let problem = AllocationProblem(buffers: [
        Buffer(id: "a", lower: 0, upper: 2, size: 4),
        Buffer(id: "b", lower: 1, upper: 3, size: 4, alignment: 4),
        Buffer(id: "c", lower: 2, upper: 4, size: 2, fixedOffset: 0),
    ])

    @Test func acceptsAValidSolutionAndMeasuresItsHeight() throws {
        #expect(try Validator.height(of: [0, 4, 0], for: problem) == 8)
        // a and c never live together; b and c do.
        #expect(Validator.isValid([0, 4, 0], for: problem))
        #expect(try Validator.height(of: [], for: AllocationProblem(buffers: [])) == 0)
    }

    @Test func rejectsOverlapOfLiveBuffers() {
        #expect(throws: AllocationViolation.self) { try Validator.height(of: [0, 0, 0], for: problem) }  // a and b
        #expect(!Validator.isValid([4, 0, 0], for: problem))  // b and c at step 2
        #expect(!Validator.isValid([1, 4, 0], for: problem))  // a [1, 5) and b [4, 8)
        #expect(Validator.isValid([8, 4, 0], for: problem))
    }

    @Test func rejectsEveryKindOfViolation() {
        #expect(!Validator.isValid([0, 4], for: problem))          // count
        #expect(!Validator.isValid([-4, 4, 0], for: problem))      // negative
        #expect(!Validator.isValid([0, 6, 0], for: problem))       // misaligned
        #expect(!Validator.isValid([0, 4, 2], for: problem))       // fixed moved
        #expect(!Validator.isValid([Int.max - 1, 4, 0], for: problem)) // overflow
        var capped = problem
        capped.capacity = 7
        #expect(!Validator.isValid([0, 4, 0], for: capped))        // capacity
        capped.capacity = 8
        #expect(Validator.isValid([0, 4, 0], for: capped))
    }

    @Test func zeroSizedBuffersOverlapNothing() {
        let p = AllocationProblem(buffers: [
            Buffer(id: "a", lower: 0, upper: 5, size: 3),
            Buffer(id: "z", lower: 0, upper: 5, size: 0),
        ])
        #expect(Validator.isValid([0, 1], for: p))
    }

    @Test func halfOpenLifetimesDoNotConflictAtTheBoundary() {
        let p = AllocationProblem(buffers: [
            Buffer(id: "a", lower: 0, upper: 2, size: 3),
            Buffer(id: "b", lower: 2, upper: 4, size: 3),
        ])
        #expect(Validator.isValid([0, 0], for: p))
    }

    /// The sweep finds an overlap exactly when one exists: against the
    /// definition (every pair), on random problems with random offsets,
    /// many of them overlapping.
    @Test func sweepAgreesWithEveryPairOnRandomOffsets() throws {
        var rng = SplitMix64(seed: 77)
        var overlapping = 0
        for _ in 0 ..< 400 {
            let n = Int.random(in: 1 ... 12, using: &rng)
            let buffers = (0 ..< n).map { k -> Buffer in
                let lower = Int.random(in: 0 ... 8, using: &rng)
                return Buffer(id: "b\(k)", lower: lower, upper: lower + Int.random(in: 1 ... 5, using: &rng),
                              size: Int.random(in: 0 ..< 6, using: &rng) == 0 ? 0 : Int.random(in: 1 ... 6, using: &rng))
            }
            let offsets = (0 ..< n).map { _ in Int.random(in: 0 ... 14, using: &rng) }
            var pairwise = false
            for i in 0 ..< n {
                for j in i + 1 ..< n where buffers[i].conflicts(with: buffers[j]) && buffers[i].size > 0 && buffers[j].size > 0 {
                    if offsets[i] < offsets[j] + buffers[j].size && offsets[j] < offsets[i] + buffers[i].size { pairwise = true }
                }
            }
            let found = Validator.firstOverlap(buffers, offsets: offsets)
            #expect((found != nil) == pairwise)
            if let (a, b) = found {
                overlapping += 1
                // The pair reported really overlaps while both are alive.
                #expect(buffers[a].conflicts(with: buffers[b]))
                #expect(offsets[a] < offsets[b] + buffers[b].size && offsets[b] < offsets[a] + buffers[a].size)
            }
            #expect(Validator.isValid(offsets, for: AllocationProblem(buffers: buffers)) == !pairwise)
        }
        #expect(overlapping > 100)
    }

    @Test func contradictoryPinsAreRejectedBeforeAnyMethod() {
        let a = Buffer(id: "a", lower: 0, upper: 4, size: 8, fixedOffset: 0)
        let b = Buffer(id: "b", lower: 3, upper: 6, size: 8, fixedOffset: 4)
        #expect(throws: AllocationError.overlappingPins(a, b)) { try AllocationProblem(buffers: [a, b]).validate() }
        #expect(throws: AllocationError.overlappingPins(a, b)) { try Portfolio().allocate(AllocationProblem(buffers: [a, b], capacity: 100)) }
        #expect(throws: AllocationError.pinBeyondCapacity(b, capacity: 11)) { try AllocationProblem(buffers: [b], capacity: 11).validate() }
        // Apart in time, or touching in memory: fine.
        var c = b
        c.lower = 4
        #expect(throws: Never.self) { try AllocationProblem(buffers: [a, c]).validate() }
        c = b
        c.fixedOffset = 8
        #expect(throws: Never.self) { try AllocationProblem(buffers: [a, c], capacity: 16).validate() }
    }
}
