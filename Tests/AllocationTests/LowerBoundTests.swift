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

    @Test func largerAlignmentClassesRaiseTheBound() throws {
        // A 1-byte buffer makes the gcd 1, which hides the three 8-aligned
        // buffers' padding from the gcd bound; their own class sees it.
        var buffers = (0 ..< 3).map { Buffer(id: "x\($0)", lower: 0, upper: 1, size: 5, alignment: 8) }
        buffers.append(Buffer(id: "one", lower: 0, upper: 1, size: 1))
        let p = AllocationProblem(buffers: buffers)
        let bounds = try LowerBounds(p)
        #expect(bounds.peakLiveBytes == 16)
        #expect(bounds.alignedPeak == 17)
        #expect(bounds.bestName == "aligned")
        #expect(BruteForce.minimumHeight(p) == 21)
    }

    @Test func aFreeBufferLargerThanEveryGapGoesAboveThePins() throws {
        let p = AllocationProblem(buffers: [
            Buffer(id: "low", lower: 0, upper: 2, size: 10, fixedOffset: 0),
            Buffer(id: "high", lower: 0, upper: 2, size: 10, fixedOffset: 20),
            Buffer(id: "wide", lower: 1, upper: 3, size: 15),
            Buffer(id: "small", lower: 0, upper: 3, size: 4),
        ])
        let bounds = try LowerBounds(p)
        #expect(bounds.peakLiveBytes == 39)
        #expect(bounds.pinnedGaps == 45)
        #expect(bounds.bestName == "pinned-gaps")
        #expect(BruteForce.minimumHeight(p) == 45)
    }

    /// Random small problems with mixed alignments and pins: every bound,
    /// not only the best, is at most the optimum found by brute force.
    @Test func everyBoundIsAtMostTheBruteForceOptimum() throws {
        var rng = SplitMix64(seed: 1_414)
        var checked = 0, aboveMaxLive = 0
        for _ in 0 ..< 400 {
            let n = Int.random(in: 1 ... 6, using: &rng)
            var buffers: [Buffer] = []
            for k in 0 ..< n {
                let lower = Int.random(in: 0 ... 4, using: &rng)
                let alignment = [1, 1, 2, 4, 8].randomElement(using: &rng)!
                var buffer = Buffer(id: "b\(k)", lower: lower, upper: lower + Int.random(in: 1 ... 4, using: &rng),
                                    size: Int.random(in: 1 ... 12, using: &rng), alignment: alignment)
                if Int.random(in: 0 ..< 4, using: &rng) == 0 { buffer.fixedOffset = Int.random(in: 0 ... 3, using: &rng) * 8 }
                buffers.append(buffer)
            }
            let p = AllocationProblem(buffers: buffers)
            guard let optimum = BruteForce.minimumHeight(p) else { continue }  // overlapping pins
            let b = try LowerBounds(p)
            checked += 1
            if b.best > b.peakLiveBytes { aboveMaxLive += 1 }
            for (name, value) in [("max-live", b.peakLiveBytes), ("aligned", b.alignedPeak), ("pinned-top", b.fixedTop),
                                  ("pinned-gaps", b.pinnedGaps)] {
                #expect(value <= optimum, "\(name) \(value) above the optimum \(optimum): \(buffers)")
            }
        }
        // The instances exercise the new bounds, not only max-live.
        #expect(checked > 200)
        #expect(aboveMaxLive > 10)
    }

    /// The clique bound adds nothing to max-live: the heaviest set of
    /// pairwise-conflicting buffers, found by listing every subset, weighs
    /// exactly the peak of live bytes.
    @Test func theHeaviestCliqueIsThePeakOfLiveBytes() throws {
        var rng = SplitMix64(seed: 77)
        for _ in 0 ..< 200 {
            let p = RandomProblems.small(&rng, maxBuffers: 9)
            let b = p.buffers
            var heaviest = 0
            for mask in 0 ..< (1 << b.count) {
                let members = (0 ..< b.count).filter { mask & (1 << $0) != 0 }
                let clique = members.allSatisfy { i in members.allSatisfy { j in i == j || (b[i].lower < b[j].upper && b[j].lower < b[i].upper) } }
                if clique { heaviest = max(heaviest, members.reduce(0) { $0 + b[$1].size }) }
            }
            #expect(try LowerBounds(p).peakLiveBytes == heaviest)
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
