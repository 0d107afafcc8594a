import Testing
import Plan
@testable import Render

@Suite struct ResidencyTests {
    @Test func intervalsRunFromAllocationToFree() throws {
        let residency = try Residency(plan: SamplePlans.small)
        let seen = residency.intervals.map { [$0.tensor, $0.offset, $0.start, $0.end] }
        #expect(seen == [
            [0, 0, 0, 1], [1, 1024, 0, 1], [2, 4096, 0, 2], [3, 8192, 1, 3],
            [4, 0, 2, 4], [2, 1024, 3, 4],
        ])
        #expect(residency.height == 12288)
        #expect(residency.skippedActions == 0)
        #expect(residency.warnings.isEmpty)
    }

    @Test func firstAndLastStepsAreInclusive() throws {
        let residency = try Residency(plan: SamplePlans.small)
        let b = try #require(residency.intervals.first { $0.tensor == 3 })
        #expect(b.firstStep == 1 && b.lastStep == 2)
    }

    @Test func copiesBecomeLoadsAndSpillsAtTheirBoundary() throws {
        let residency = try Residency(plan: SamplePlans.small)
        let seen = residency.transfers.map { "\($0.direction == .load ? "load" : "spill") \($0.tensor)@\($0.boundary)+\($0.offset) \($0.peer)" }
        #expect(seen == ["load 0@0+0 host", "load 1@0+1024 host", "spill 2@2+4096 host",
                         "load 2@3+1024 host", "spill 4@4+0 host"])
    }

    @Test func zeroByteTensorsAndInstantAllocationsAreNotIntervals() throws {
        var plan = SamplePlans.small
        plan.steps[0].after += [.allocate(3, in: "scratchpad", at: 12288), .free(3, in: "scratchpad")]
        let residency = try Residency(plan: plan)
        #expect(!residency.intervals.contains { $0.tensor == 5 })
        #expect(residency.intervals.count == 6)
        #expect(residency.skippedActions == 0)
    }

    @Test func unfreedTensorsLastToTheEnd() throws {
        var plan = SamplePlans.small
        plan.steps[3].after.removeLast()
        let residency = try Residency(plan: plan)
        #expect(residency.intervals.last { $0.tensor == 2 }?.end == 4)
    }

    @Test func malformedActionsAreSkippedAndReported() throws {
        var plan = SamplePlans.small
        plan.steps[0].before += [
            .allocate(99, in: "scratchpad", at: 0),           // no such tensor
            .allocate(-1, in: "scratchpad", at: 0),           // no such tensor
            .allocate(3, in: "scratchpad", at: -64),          // negative offset
            .allocate(3, in: "scratchpad"),                   // no offset
            .allocate(3, in: "scratchpad", at: Int.max),      // overflows
            .copy(3, from: "host", to: "scratchpad"),         // no space
            .free(4, in: "scratchpad"),                       // never allocated
            .allocate(99, in: "host"),                        // another tier: not our business
        ]
        plan.steps[2].before.append(.allocate(4, in: "scratchpad", at: 256))  // twice
        let residency = try Residency(plan: plan)
        #expect(residency.skippedActions == 8)
        #expect(residency.warnings.count == 8)
        #expect(residency.warnings[0].contains("no such tensor"))
        #expect(residency.warnings.contains { $0.contains("negative offset -64") })
        // The double allocation closes the first space where the second begins.
        #expect(residency.intervals.contains { $0.tensor == 4 && $0.offset == 0 && $0.start == 2 && $0.end == 2 } == false)
        #expect(residency.intervals.contains { $0.tensor == 4 && $0.offset == 256 && $0.end == 4 })
    }

    @Test func warningsAreCapped() throws {
        var plan = SamplePlans.small
        plan.steps[0].before += Array(repeating: .free(3, in: "scratchpad"), count: 100)
        let residency = try Residency(plan: plan)
        #expect(residency.skippedActions == 100)
        #expect(residency.warnings.count == Residency.warningLimit)
    }

    @Test func aPlanWithoutAnAddressedComputeTierIsAnError() {
        var plan = SamplePlans.small
        plan.computeTier = "gpu"
        #expect(throws: RenderError.missingComputeTier("gpu")) { try Residency(plan: plan) }
        plan.computeTier = "host"
        #expect(throws: RenderError.computeTierNotAddressed("host")) { try Residency(plan: plan) }
    }

    @Test func anEmptyPlanHasNoIntervals() throws {
        var plan = SamplePlans.small
        plan.steps = []
        let residency = try Residency(plan: plan)
        #expect(residency.intervals.isEmpty && residency.transfers.isEmpty && residency.height == 0)
    }
}

@Suite struct HostilePlanTests {
    /// Plans are user input: whatever they hold, drawing them never traps.
    @Test func oddTiersAndSizesDrawWithoutTrapping() throws {
        for capacity in [nil, 0, -5, 1, Int.max] as [Int?] {
            var plan = SamplePlans.small
            plan.tiers[0].capacity = capacity
            plan.tensors[3].bytes = -100
            plan.tensors[0].bytes = Int.max
            plan.steps[0].before.append(.copy(1, from: "scratchpad", to: "scratchpad"))
            plan.steps[0].before.append(PlanAction(kind: .copy, tensor: 1, tier: "scratchpad"))
            let picture = PlanPicture()
            let svg = try picture.svg(plan)
            _ = try SVGElements(svg)
            _ = try picture.html(plan)
        }
    }

    @Test func aResidencyFromAnotherPlanIsDrawnWithoutTrapping() throws {
        let residency = try Residency(plan: SamplePlans.chain(count: 50))
        var other = SamplePlans.small
        other.steps = []
        let svg = PlanPicture().svg(other, residency: residency)
        let known = residency.intervals.filter { $0.tensor < other.tensors.count }.count
        #expect(try SVGElements(svg).all("rect", class: "iv").count == known)
    }

    @Test func hugeOffsetsAndStepCountsStayFinite() throws {
        var residency = try Residency(plan: SamplePlans.small)
        residency.intervals.append(ResidencyInterval(tensor: 2, offset: Int.max - 10, bytes: 4096, start: 0, end: 1))
        #expect(residency.height == Int.max)
        let svg = PlanPicture().svg(SamplePlans.small, residency: residency)
        #expect(!svg.contains("nan") && !svg.contains("inf"))
        _ = try SVGElements(svg)
    }
}
