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
}
