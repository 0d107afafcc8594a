import Testing
@testable import Allocation

@Suite struct GreedyTests {
    static let allocators: [GreedyAllocator] = GreedyOrder.allCases.flatMap { order in
        GapChoice.allCases.map { GreedyAllocator(order: order, gap: $0) }
    } + [GreedyAllocator(order: .sizeThenStart, gap: .firstFit, tieBreakSeed: 3), GreedyAllocator(order: .start, tieBreakSeed: 5)]

    @Test func everyOrderGivesValidSolutionsOnSmallProblems() throws {
        for c in Corpus.small.prefix(200) {
            let (k, p, optimum) = (c.index, c.problem, c.optimum)
            for allocator in Self.allocators {
                let solution = try allocator.allocate(p)
                guard let optimum else { continue }  // pinned buffers overlap: no valid solution
                let height = try Validator.height(of: solution.offsets, for: p)
                #expect(height == solution.height, "problem \(k), \(allocator.name)")
                #expect(height >= optimum, "problem \(k), \(allocator.name)")
            }
        }
    }

    @Test func everyOrderGivesValidSolutionsOnMediumProblems() throws {
        var rng = SplitMix64(seed: 5)
        for _ in 0 ..< 3 {
            let p = RandomProblems.medium(&rng, n: 300)
            let bound = try LowerBounds(p).best
            for allocator in Self.allocators {
                let solution = try allocator.allocate(p)
                #expect(try Validator.height(of: solution.offsets, for: p) == solution.height, "\(allocator.name)")
                #expect(solution.height >= bound)
            }
            let best = try BestOfGreedy.standard.allocate(p)
            #expect(best.solution.height == BestOfGreedy.standard.members.map { try! $0.allocate(p).height }.min())
        }
    }

    @Test func gapIndexPlacesExactlyAsTheConflictScan() throws {
        // The interval index must reproduce the reference scan of every
        // conflicting buffer, offset for offset, on random, guillotine
        // (tight, many touching ranges) and trace problems.
        var rng = SplitMix64(seed: 11)
        var problems = (0 ..< 4).map { _ in RandomProblems.medium(&rng, n: 250) }
        problems += RandomProblems.smallSet(count: 60, seed: 12)
        problems.append(GuillotineProblems.make(pieces: 200, seed: 4).problem)
        problems.append(TransformerTrace.make(layers: 4, microBatches: 3))
        // Without capacities: the validator then measures any height.
        for (k, p) in problems.map({ AllocationProblem(buffers: $0.buffers) }).enumerated() {
            for allocator in Self.allocators {
                let fast = allocator.allocate(validated: p.buffers)
                let scan = allocator.allocateByScanning(validated: p.buffers)
                #expect(fast.offsets == scan.offsets, "problem \(k), \(allocator.name)")
                #expect(fast.height == scan.height)
                #expect(try Validator.height(of: fast.offsets, for: p) == fast.height)
            }
        }
    }

    @Test func gapIndexListsStayTheCoalescedUnionAsTheyMoveAndShift() {
        // Every buffer lives through the whole horizon, so the root's `sub`
        // list (list 3) must always be the union of every range inserted:
        // ranges land above, below, between and across earlier ones, so the
        // list grows out of its slot several times, shifts its tail up
        // (insertions) and down (merges).
        var rng = SplitMix64(seed: 21)
        for _ in 0 ..< 10 {
            let count = 200
            var index = GapIndex(lower: Array(repeating: 0, count: count), upper: Array(repeating: 5, count: count))
            var covered = [Bool](repeating: false, count: 1_100)
            for i in 0 ..< count {
                let start = Int.random(in: 0 ..< 1_000, using: &rng)
                let stop = start + Int.random(in: 1 ... 12, using: &rng)
                index.insert(i, start: start, stop: stop)
                for x in start ..< stop { covered[x] = true }
                var expected: [Int] = []
                for x in covered.indices where covered[x] {
                    if let last = expected.last, last == x { expected[expected.count - 1] = x + 1 } else { expected += [x, x + 1] }
                }
                let list = Array(index.ranges(ofList: 3))
                #expect(list == expected, "after \(i + 1) insertions")
                if list != expected { return }
            }
        }
    }

    @Test func bestFitTakesTheSmallestGap() throws {
        // After the two big buffers, gaps of 4 (at 0) and 2 (at 10) remain
        // under the long one; a 2-byte buffer goes to the smaller gap.
        let p = AllocationProblem(buffers: [
            Buffer(id: "big", lower: 0, upper: 10, size: 100, fixedOffset: 12),
            Buffer(id: "left", lower: 0, upper: 10, size: 6, fixedOffset: 4),
            Buffer(id: "small", lower: 0, upper: 10, size: 2),
            Buffer(id: "gap", lower: 0, upper: 10, size: 0),
        ])
        let best = try GreedyAllocator(order: .size, gap: .bestFit).allocate(p)
        let first = try GreedyAllocator(order: .size, gap: .firstFit).allocate(p)
        #expect(best.offsets[2] == 10)
        #expect(first.offsets[2] == 0)
        #expect(Validator.isValid(best.offsets, for: p) && Validator.isValid(first.offsets, for: p))
    }

    @Test func sizeOrderReusesMemoryOfDeadBuffers() throws {
        // A chain: each buffer lives two steps, so two slots suffice.
        let p = AllocationProblem(buffers: (0 ..< 10).map { Buffer(id: "t\($0)", lower: $0, upper: $0 + 2, size: 8) })
        #expect(try GreedyAllocator().allocate(p).height == 16)
    }

    @Test func respectsAlignmentAndFixedOffsets() throws {
        let p = AllocationProblem(buffers: [
            Buffer(id: "w", lower: 0, upper: 10, size: 3, fixedOffset: 0),
            Buffer(id: "a", lower: 0, upper: 5, size: 5, alignment: 16),
            Buffer(id: "b", lower: 3, upper: 8, size: 5, alignment: 16),
        ])
        for allocator in Self.allocators {
            let s = try allocator.allocate(p)
            #expect(s.offsets[0] == 0)
            #expect(s.offsets[1] % 16 == 0 && s.offsets[2] % 16 == 0)
            #expect(Validator.isValid(s.offsets, for: p))
        }
    }

    @Test func transformerTraceIsValidAndNearItsBound() throws {
        let p = TransformerTrace.make(layers: 3, microBatches: 3)
        #expect(p.count > 150)
        let bound = try LowerBounds(p).best
        let best = try BestOfGreedy.standard.allocate(p)
        #expect(try Validator.height(of: best.solution.offsets, for: p) == best.solution.height)
        #expect(Double(best.solution.height) <= 1.05 * Double(bound))
    }
}
