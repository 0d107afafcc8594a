import Testing
@testable import Allocation

@Suite struct LowerBoundTests {
    @Test func peakOfLiveBytes() throws {
        let p = AllocationProblem(buffers: [
            Buffer(id: "a", lower: 0, upper: 3, size: 5),
            Buffer(id: "b", lower: 2, upper: 4, size: 7),
            Buffer(id: "c", lower: 3, upper: 6, size: 4),  // starts as a ends
            Buffer(id: "d", lower: 5, upper: 6, size: 1),
        ])
        let bounds = try LowerBounds(p)
        #expect(bounds.peakLiveBytes == 12)
        #expect(bounds.peakTime == 2)
        #expect(bounds.best == 12)
    }

    @Test func alignmentRaisesTheBound() throws {
        // Three 5-byte buffers alive together, each aligned to 8: offsets
        // 0, 8, 16 at best, so the height is at least 21 > 15.
        let p = AllocationProblem(buffers: (0 ..< 3).map { Buffer(id: "x\($0)", lower: 0, upper: 1, size: 5, alignment: 8) })
        let bounds = try LowerBounds(p)
        #expect(bounds.peakLiveBytes == 15)
        #expect(bounds.alignedPeak == 17)
        #expect(bounds.best >= 17)
        #expect(BruteForce.minimumHeight(p) == 21)
    }

    @Test func fixedOffsetsRaiseTheBound() throws {
        let p = AllocationProblem(buffers: [Buffer(id: "f", lower: 0, upper: 1, size: 2, fixedOffset: 10)])
        #expect(try LowerBounds(p).best == 12)
    }

    @Test func neverAboveTheOptimum() throws {
        for c in Corpus.small {
            guard let optimum = c.optimum else { continue }
            #expect(try LowerBounds(c.problem).best <= optimum, "problem \(c.index)")
        }
    }

    @Test func rejectsInvalidProblems() {
        let bad: [(Buffer, String)] = [
            (Buffer(id: "a", lower: 3, upper: 3, size: 1), "empty"),
            (Buffer(id: "a", lower: 0, upper: 1, size: -1), "negative"),
            (Buffer(id: "a", lower: 0, upper: 1, size: 1, alignment: 0), "alignment"),
            (Buffer(id: "a", lower: 0, upper: 1, size: 1, alignment: 4, fixedOffset: 6), "multiple"),
            (Buffer(id: "a", lower: 0, upper: 1, size: 1, fixedOffset: -4), "negative"),
            (Buffer(id: "a", lower: 0, upper: 1, size: 2, fixedOffset: Int.max - 1), "2^62"),
            (Buffer(id: "a", lower: 0, upper: 1, size: Int.max), "2^62"),
            (Buffer(id: "a", lower: Int.min, upper: 1, size: 1), "2^62"),
            (Buffer(id: "a", lower: 0, upper: 1, size: 1, alignment: 1 << 62), "2^62"),
        ]
        for (buffer, word) in bad {
            #expect {
                _ = try LowerBounds(AllocationProblem(buffers: [buffer]))
            } throws: { error in
                String(describing: error).contains(word)
            }
        }
        #expect(throws: AllocationError.duplicateID("a")) {
            _ = try LowerBounds(AllocationProblem(buffers: [Buffer(id: "a", lower: 0, upper: 1, size: 1), Buffer(id: "a", lower: 1, upper: 2, size: 1)]))
        }
        #expect(throws: AllocationError.self) {
            _ = try LowerBounds(AllocationProblem(buffers: [
                Buffer(id: "a", lower: 0, upper: 1, size: Int.max / 2),
                Buffer(id: "b", lower: 0, upper: 1, size: Int.max / 2 + 10),
            ]))
        }
        #expect(throws: AllocationError.invalidCapacity(-1)) {
            _ = try GreedyAllocator().allocate(AllocationProblem(buffers: [], capacity: -1))
        }
    }
}
