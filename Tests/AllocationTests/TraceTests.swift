import Testing
@testable import Allocation

@Suite struct TraceTests {
    static var small: TrainingTraceConfig {
        var c = TrainingTraceConfig.llm2B
        c.layers = 4
        c.microBatches = 3
        return c
    }

    @Test func trainingTraceHasTheShapeOfProductionTraces() throws {
        let p = TrainingTrace.make(Self.small)
        try p.validate()
        let stats = TrainingTrace.Statistics(p)
        #expect(p.count > 1_000)
        #expect(stats.distinctSizes < 40)          // every layer has the same shapes
        #expect(stats.smallest == 1)                // flags
        #expect(stats.largest > 100 << 20)          // weights, logits
        #expect(stats.medianLifetime <= 12)         // one kernel's output read by the next few
        #expect(stats.p90Lifetime > 20 * stats.medianLifetime)  // saved activations, gradients
        // Parameters and Adam's state live throughout.
        let horizon = stats.horizon
        #expect(p.buffers.filter { $0.id.hasSuffix(".adam.m") }.allSatisfy { $0.lower == 0 && $0.upper == horizon })
        // Reproducible from its seed, different with another.
        #expect(TrainingTrace.make(Self.small) == p)
        var other = Self.small
        other.seed = 99
        #expect(TrainingTrace.make(other) != p)
    }

    @Test func forwardActivationsAreFreedInReverseByTheBackwardPass() throws {
        var c = Self.small
        c.microBatches = 1
        c.jitter = 0
        let p = TrainingTrace.make(c)
        func buffer(_ id: String) throws -> Buffer { try #require(p.buffers.first { $0.id == id }) }
        // The first layer's saved input dies after the last layer's.
        let first = try buffer("mb0.l0.ln1"), last = try buffer("mb0.l3.ln1")
        #expect(first.lower < last.lower && last.upper < first.upper)
        // A weight gradient accumulator lives from the backward to the optimizer.
        let grad = try buffer("l0.qkv.grad")
        #expect(grad.lower > last.lower && grad.upper > first.upper)
    }

    @Test func pipelineStagesKeepSeveralMicroBatchesInFlight() throws {
        var c = Self.small
        c.pipelineStages = 4
        c.stage = 1
        c.microBatches = 6
        let p = TrainingTrace.make(c)
        try p.validate()
        // 1F1B: micro-batch 1's forward starts before micro-batch 0's backward ends.
        let f1 = try #require(p.buffers.first { $0.id == "mb1.recv" })
        let b0 = try #require(p.buffers.first { $0.id == "mb0.recv.grad" })
        #expect(f1.lower < b0.lower)
        #expect(p.buffers.contains { $0.id == "mb5.recv" })
    }

    /// x → MatMul(w) → y → Relu → z, z the output.
    @Test func modelTrainingTraceFollowsTheGraph() throws {
        let graph = ForwardGraph(
            operations: [ForwardGraph.Operation(type: "MatMul", inputs: [0, 1], outputs: [2]),
                         ForwardGraph.Operation(type: "Relu", inputs: [2], outputs: [3])],
            sizes: [64, 256, 32, 32], roles: [.activation, .weight, .activation, .activation], outputs: [3])
        let p = ModelTrainingTrace.make(graph, name: "m", microBatches: 2, batch: 2, jitter: 0)
        try p.validate()
        let ids = Set(p.buffers.map(\.id))
        // Weights and Adam's moments, unscaled; activations scaled by the batch.
        for id in ["m.w1", "m.w1.adam.m", "m.w1.adam.v"] { #expect(ids.contains(id)) }
        #expect(p.buffers.first { $0.id == "m.w1" }?.size == 256)
        #expect(p.buffers.first { $0.id == "m.mb0.t2" }?.size == 64)
        // Relu saves its output, MatMul its inputs: the input lives into the backward.
        let x = try #require(p.buffers.first { $0.id == "m.mb0.in0" })
        let y = try #require(p.buffers.first { $0.id == "m.mb0.t2" })
        let dy = try #require(p.buffers.first { $0.id == "m.mb0.t2.grad" })
        #expect(x.upper > dy.lower)
        #expect(y.upper <= dy.lower + 1)
        // One accumulator per weight, until the optimizer.
        let acc = try #require(p.buffers.first { $0.id == "m.w1.grad" })
        #expect(acc.upper > p.buffers.first { $0.id == "m.mb1.t2.grad" }!.upper)
        #expect(ModelTrainingTrace.make(graph, name: "m", microBatches: 2, batch: 2, jitter: 0) == p)
    }
}
