/// The shape of one ``TrainingTrace``: a decoder-only transformer trained
/// with mixed precision and Adam, as a compiler lays out one training step.
public struct TrainingTraceConfig: Sendable, Hashable {
    public var layers = 32
    public var hidden = 2_560
    public var heads = 32
    public var ffn = 10_240
    public var vocabulary = 50_304
    public var sequence = 2_048
    public var microBatchSize = 1
    /// Gradient-accumulation micro-batches (or pipeline micro-batches).
    public var microBatches = 8
    /// Megatron-style tensor parallelism: weights, heads and the MLP width
    /// are split this many ways; all-reduces after attention and the MLP.
    public var tensorParallel = 1
    /// With more than one stage the trace is stage `stage` of a pipeline
    /// running the 1F1B schedule (layers / stages layers, sends and
    /// receives at the ends, several micro-batches in flight).
    public var pipelineStages = 1
    public var stage = 0
    /// Data-parallel replicas sharing the optimizer state (ZeRO-1 when
    /// above 1: Adam's moments and master weights are shards, gradients
    /// are reduce-scattered and weights all-gathered after the update).
    public var dataParallel = 1
    /// ZeRO-3 / FSDP: weights too are shards, gathered before each layer's
    /// forward and backward and dropped after.
    public var shardedWeights = false
    /// Fused attention: no sequence × sequence score matrices, only the
    /// softmax statistics are saved.
    public var flashAttention = false
    public var activationBytes = 2
    /// Scheduling noise (see ``TraceProgram``).
    public var jitter = 6
    public var seed: UInt64 = 1

    public init() {}
}

/// Allocation traces of the kind production ML compilers emit for a
/// training step: tens of thousands of buffers, few distinct sizes (every
/// layer has the same shapes), sizes from one byte (flags, random seeds)
/// to gigabytes (logits over a large vocabulary), most lifetimes a few
/// steps (one kernel's output read by the next ones) and a long tail
/// (activations saved from the forward pass until the backward pass frees
/// them in reverse, gradient accumulators, Adam's state, parameters).
///
/// The program, per micro-batch: embedding (first stage), the layers'
/// forward passes (layer norm, QKV projection, attention, dropout, output
/// projection, all-reduce under tensor parallelism, residual, MLP), the
/// loss on the last stage (logits in fp32, cross-entropy), then the
/// backward passes in reverse: input gradients (short-lived), weight
/// gradients accumulated into fp32 buffers that live until the optimizer.
/// After the last micro-batch: data-parallel gradient reduction, the global
/// gradient norm and finiteness check (4-byte and 1-byte values), Adam per
/// parameter, and weight all-gathers. Pipeline stages interleave
/// micro-batches as 1F1B does. The program is scheduled by
/// ``TraceProgram`` with a little noise, as a list scheduler would.
///
/// Cost O(B log B) for B buffers.
public enum TrainingTrace {
    public static func make(_ c: TrainingTraceConfig) -> AllocationProblem {
        var builder = Builder(c)
        builder.build()
        return AllocationProblem(buffers: builder.program.buffers(jitter: c.jitter, seed: c.seed))
    }

    /// The trace's statistics that production traces are compared on.
    public struct Statistics: Sendable, CustomStringConvertible {
        public var buffers: Int
        public var distinctSizes: Int
        public var smallest: Int
        public var largest: Int
        public var horizon: Int
        public var medianLifetime: Int
        public var p90Lifetime: Int

        public init(_ problem: AllocationProblem) {
            let b = problem.buffers
            buffers = b.count
            distinctSizes = Set(b.map(\.size)).count
            smallest = b.map(\.size).min() ?? 0
            largest = b.map(\.size).max() ?? 0
            horizon = (b.map(\.upper).max() ?? 0) - (b.map(\.lower).min() ?? 0)
            let lengths = b.map { $0.upper - $0.lower }.sorted()
            medianLifetime = lengths.isEmpty ? 0 : lengths[lengths.count / 2]
            p90Lifetime = lengths.isEmpty ? 0 : lengths[lengths.count * 9 / 10]
        }

        public var description: String {
            "\(buffers) buffers, \(distinctSizes) sizes (\(smallest) B – \(largest) B), horizon \(horizon), lifetime median \(medianLifetime) p90 \(p90Lifetime)"
        }
    }

    private struct Builder {
        let c: TrainingTraceConfig
        var program = TraceProgram()

        // Sizes in bytes.
        let tp: Int, dp: Int, e: Int, tokens: Int
        let act: Int, actShard: Int, ffnShard: Int, headsShard: Int
        let scores: Int, mask: Int, stats: Int, workspace: Int
        let firstLayer: Int, stageLayers: Int
        var isFirstStage: Bool { c.stage == 0 }
        var isLastStage: Bool { c.stage == max(1, c.pipelineStages) - 1 }

        struct Parameter {
            var name: String
            var elements: Int
            var weight: TraceProgram.Value
            var master: TraceProgram.Value
            var moments: [TraceProgram.Value]
            var gradient: TraceProgram.Value?
        }
        var parameters: [Parameter] = []
        /// Per layer: indices into `parameters` in the order qkv, qkv.bias,
        /// proj, proj.bias, ln1.scale, ln1.bias, ln2.scale, ln2.bias, up,
        /// up.bias, down, down.bias.
        var layerParameters: [[Int]] = []
        var embedding: Int?
        var positions: Int?

        init(_ c: TrainingTraceConfig) {
            self.c = c
            tp = max(1, c.tensorParallel)
            dp = max(1, c.dataParallel)
            e = max(1, c.activationBytes)
            tokens = max(1, c.microBatchSize) * max(1, c.sequence)
            act = tokens * c.hidden * e
            actShard = max(1, act / tp)
            ffnShard = max(1, tokens * (c.ffn / tp) * e)
            headsShard = max(1, c.heads / tp)
            scores = max(1, c.microBatchSize) * headsShard * c.sequence * c.sequence * e
            mask = max(1, scores / e)
            stats = tokens * 4
            // cuBLAS-style workspaces: a few fixed sizes.
            workspace = 32 << 20
            let stages = max(1, c.pipelineStages)
            stageLayers = max(1, c.layers / stages)
            firstLayer = c.stage * stageLayers
        }

        // MARK: Parameters

        mutating func parameter(_ name: String, elements: Int) -> Int {
            let shards = c.shardedWeights ? dp : 1
            let weight = program.resident(name + ".weight", size: elements * 2 / shards)
            let master = program.resident(name + ".master", size: elements * 4 / dp)
            let m = program.resident(name + ".adam.m", size: elements * 4 / dp)
            let v = program.resident(name + ".adam.v", size: elements * 4 / dp)
            parameters.append(Parameter(name: name, elements: elements, weight: weight, master: master, moments: [m, v]))
            return parameters.count - 1
        }

        /// The weight as an operation reads it: the resident copy, or a
        /// freshly gathered one under ZeRO-3 (alive until its last reader).
        mutating func weight(_ p: Int, _ tag: String) -> TraceProgram.Value {
            guard c.shardedWeights && dp > 1 else { return parameters[p].weight }
            return program.op1([parameters[p].weight], parameters[p].name + ".gathered." + tag, parameters[p].elements * 2)
        }

        /// Adds a partial weight gradient into the fp32 accumulator.
        mutating func accumulate(_ p: Int, _ partial: TraceProgram.Value) {
            if parameters[p].gradient == nil {
                parameters[p].gradient = program.op1([], parameters[p].name + ".grad", parameters[p].elements * 4)
            }
            program.op([partial, parameters[p].gradient!])
        }

        // MARK: Program

        mutating func build() {
            let h = c.hidden, f = c.ffn
            if isFirstStage {
                embedding = parameter("embedding", elements: c.vocabulary / tp * h)
                positions = parameter("positions", elements: c.sequence * h)
            }
            for l in firstLayer ..< firstLayer + stageLayers {
                let n = "l\(l)."
                layerParameters.append([
                    parameter(n + "qkv", elements: h * 3 * h / tp), parameter(n + "qkv.bias", elements: 3 * h / tp),
                    parameter(n + "proj", elements: h / tp * h), parameter(n + "proj.bias", elements: h),
                    parameter(n + "ln1.scale", elements: h), parameter(n + "ln1.bias", elements: h),
                    parameter(n + "ln2.scale", elements: h), parameter(n + "ln2.bias", elements: h),
                    parameter(n + "up", elements: h * f / tp), parameter(n + "up.bias", elements: f / tp),
                    parameter(n + "down", elements: f / tp * h), parameter(n + "down.bias", elements: h),
                ])
            }
            if isLastStage && !isFirstStage {
                // The output projection is tied to the embedding, which the
                // last stage keeps a copy of.
                embedding = parameter("embedding", elements: c.vocabulary / tp * h)
            }

            // 1F1B: warm-up forwards, then alternate, then cool-down backwards.
            let stages = max(1, c.pipelineStages)
            let m = max(1, c.microBatches)
            let warmup = stages == 1 ? 0 : min(m, stages - c.stage - 1)
            var saved: [Int: Saved] = [:]
            var nextForward = 0, nextBackward = 0
            func forward(_ k: Int, _ this: inout Builder) { saved[k] = this.forwardMicroBatch(k) }
            func backward(_ k: Int, _ this: inout Builder) { this.backwardMicroBatch(k, saved.removeValue(forKey: k)!) }
            if stages == 1 {
                for k in 0 ..< m {
                    forward(k, &self)
                    backward(k, &self)
                }
            } else {
                while nextForward < warmup { forward(nextForward, &self); nextForward += 1 }
                while nextForward < m {
                    forward(nextForward, &self); nextForward += 1
                    backward(nextBackward, &self); nextBackward += 1
                }
                while nextBackward < m { backward(nextBackward, &self); nextBackward += 1 }
            }
            optimizerStep()
        }

        struct Saved {
            var layers: [[TraceProgram.Value]] = []
            var loss: [TraceProgram.Value] = []
            var tokens: TraceProgram.Value?
        }

        mutating func forwardMicroBatch(_ k: Int) -> Saved {
            var s = Saved()
            let mb = "mb\(k)."
            var x: TraceProgram.Value
            if isFirstStage {
                let ids = program.op1([], mb + "tokens", tokens * 4)
                s.tokens = ids
                let table = weight(embedding!, mb + "fwd")
                let pos = weight(positions!, mb + "fwd")
                x = program.op1([ids, table, pos], mb + "embed", act)
                if tp > 1 { x = program.op1([x], mb + "embed.allreduce", act) }
            } else {
                x = program.op1([], mb + "recv", act)
            }
            for l in 0 ..< stageLayers {
                let (out, keep) = forwardLayer(x, layer: l, prefix: mb + "l\(firstLayer + l).")
                s.layers.append(keep)
                x = out
            }
            if isLastStage {
                let final = program.op1([x], mb + "final.ln", act)
                let table = weight(embedding!, mb + "logits")
                let logits = program.op([final, table], [(mb + "logits", tokens * (c.vocabulary / tp) * 4)])[0]
                let labels = program.op1([], mb + "labels", tokens * 4)
                var lossStats = program.op([logits, labels], [(mb + "xent.lse", stats), (mb + "loss", 4)])
                if tp > 1 { lossStats[0] = program.op1([lossStats[0]], mb + "xent.allreduce", stats) }
                s.loss = [final, logits, labels, lossStats[0], x]
            } else {
                program.op([x])  // send to the next stage
                s.loss = []
            }
            return s
        }

        mutating func backwardMicroBatch(_ k: Int, _ s: Saved) {
            let mb = "mb\(k)."
            var g: TraceProgram.Value
            if isLastStage {
                let (final, logits, labels, lse) = (s.loss[0], s.loss[1], s.loss[2], s.loss[3])
                let dlogits = program.op1([logits, lse, labels], mb + "logits.grad", tokens * (c.vocabulary / tp) * e)
                let table = weight(embedding!, mb + "logits.bwd")
                g = program.op1([dlogits, table], mb + "final.grad", act)
                let partial = program.op1([final, dlogits], mb + "embedding.wgrad", parameters[embedding!].elements * 4)
                accumulate(embedding!, partial)
                if tp > 1 { g = program.op1([g], mb + "final.grad.allreduce", act) }
                g = program.op1([g, s.loss[4]], mb + "final.ln.grad", act)
            } else {
                g = program.op1([], mb + "recv.grad", act)
            }
            for l in stride(from: stageLayers - 1, through: 0, by: -1) {
                g = backwardLayer(g, layer: l, saved: s.layers[l], prefix: mb + "l\(firstLayer + l).grad.")
            }
            if isFirstStage {
                let partial = program.op1([s.tokens!, g], mb + "embedding.scatter", parameters[embedding!].elements * 4)
                accumulate(embedding!, partial)
                let pos = program.op1([g], mb + "positions.wgrad", parameters[positions!].elements * 4)
                accumulate(positions!, pos)
            } else {
                program.op([g])  // send to the previous stage
            }
        }

        /// One layer's forward; returns its output and the values its
        /// backward reads.
        mutating func forwardLayer(_ x: TraceProgram.Value, layer l: Int, prefix p: String) -> (TraceProgram.Value, [TraceProgram.Value]) {
            let w = layerParameters[l]
            let ln1 = program.op([x, weight(w[4], p), weight(w[5], p)], [(p + "ln1", act), (p + "ln1.mean", stats), (p + "ln1.rstd", stats)])
            let wqkv = weight(w[0], p)
            let qkv = program.op([ln1[0], wqkv, weight(w[1], p), program.op1([], p + "qkv.workspace", workspace)], [(p + "qkv", 3 * actShard)])[0]
            var attention: [TraceProgram.Value]
            let seed1 = program.op1([], p + "attn.seed", 8)
            let ctx: TraceProgram.Value
            if c.flashAttention {
                let out = program.op([qkv, seed1], [(p + "attn.ctx", actShard), (p + "attn.lse", max(1, c.microBatchSize) * headsShard * c.sequence * 4)])
                ctx = out[0]
                attention = [out[1]]
            } else {
                let sc = program.op1([qkv], p + "attn.scores", scores)
                let probs = program.op([sc], [(p + "attn.probs", scores), (p + "attn.max", max(1, c.microBatchSize) * headsShard * c.sequence * 4)])
                let dropped = program.op([probs[0], seed1], [(p + "attn.mask", mask), (p + "attn.dropped", scores)])
                ctx = program.op1([dropped[1], qkv], p + "attn.ctx", actShard)
                attention = [probs[0], dropped[0], dropped[1]]
            }
            var proj = program.op1([ctx, weight(w[2], p), program.op1([], p + "proj.workspace", workspace)], p + "proj", act)
            if tp > 1 { proj = program.op1([proj], p + "proj.allreduce", act) }
            let seed2 = program.op1([], p + "proj.seed", 8)
            let res1 = program.op([proj, weight(w[3], p), x, seed2], [(p + "proj.mask", act / e), (p + "res1", act)])
            let ln2 = program.op([res1[1], weight(w[6], p), weight(w[7], p)], [(p + "ln2", act), (p + "ln2.mean", stats), (p + "ln2.rstd", stats)])
            let up = program.op1([ln2[0], weight(w[8], p), weight(w[9], p), program.op1([], p + "up.workspace", workspace)], p + "up", ffnShard)
            let gelu = program.op1([up], p + "gelu", ffnShard)
            var down = program.op1([gelu, weight(w[10], p), program.op1([], p + "down.workspace", workspace)], p + "down", act)
            if tp > 1 { down = program.op1([down], p + "down.allreduce", act) }
            let seed3 = program.op1([], p + "down.seed", 8)
            let res2 = program.op([down, weight(w[11], p), res1[1], seed3], [(p + "down.mask", act / e), (p + "res2", act)])
            let keep = [x, ln1[0], ln1[1], ln1[2], qkv, ctx, res1[0], res1[1], ln2[0], ln2[1], ln2[2], up, gelu, res2[0], seed1] + attention
            return (res2[1], keep)
        }

        /// One layer's backward from the output gradient `g`; returns the
        /// input gradient.
        mutating func backwardLayer(_ g: TraceProgram.Value, layer l: Int, saved s: [TraceProgram.Value], prefix p: String) -> TraceProgram.Value {
            let w = layerParameters[l]
            let (x, ln1, mean1, rstd1, qkv, ctx, mask2, res1) = (s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])
            let (ln2, mean2, rstd2, up, gelu, mask3, seed1) = (s[8], s[9], s[10], s[11], s[12], s[13], s[14])
            // MLP.
            let g3 = program.op1([g, mask3], p + "down.dropout", act)
            let dgelu = program.op1([g3, weight(w[10], p), program.op1([], p + "down.workspace", workspace)], p + "down.dgrad", ffnShard)
            accumulate(w[10], program.op1([gelu, g3], p + "down.wgrad", parameters[w[10]].elements * 4))
            accumulate(w[11], program.op1([g3], p + "down.bias.wgrad", parameters[w[11]].elements * 4))
            let dup = program.op1([dgelu, up], p + "gelu.grad", ffnShard)
            var dln2 = program.op1([dup, weight(w[8], p), program.op1([], p + "up.workspace", workspace)], p + "up.dgrad", act)
            accumulate(w[8], program.op1([ln2, dup], p + "up.wgrad", parameters[w[8]].elements * 4))
            accumulate(w[9], program.op1([dup], p + "up.bias.wgrad", parameters[w[9]].elements * 4))
            if tp > 1 { dln2 = program.op1([dln2], p + "up.dgrad.allreduce", act) }
            let n2 = program.op([dln2, res1, mean2, rstd2, weight(w[6], p), g],
                                [(p + "res1", act), (p + "ln2.scale.wgrad", parameters[w[6]].elements * 4), (p + "ln2.bias.wgrad", parameters[w[7]].elements * 4)])
            accumulate(w[6], n2[1])
            accumulate(w[7], n2[2])
            // Attention.
            let g2 = program.op1([n2[0], mask2], p + "proj.dropout", act)
            let dctx = program.op1([g2, weight(w[2], p), program.op1([], p + "proj.workspace", workspace)], p + "proj.dgrad", actShard)
            accumulate(w[2], program.op1([ctx, g2], p + "proj.wgrad", parameters[w[2]].elements * 4))
            accumulate(w[3], program.op1([g2], p + "proj.bias.wgrad", parameters[w[3]].elements * 4))
            let dqkv: TraceProgram.Value
            if c.flashAttention {
                dqkv = program.op1([dctx, qkv, ctx, s[15], seed1, program.op1([], p + "attn.workspace", workspace)], p + "attn.grad", 3 * actShard)
            } else {
                let (probs, mask1, dropped) = (s[15], s[16], s[17])
                let ddropped = program.op1([dctx, qkv], p + "attn.dropped", scores)
                let dv = program.op1([dropped, dctx], p + "attn.v", actShard)
                let dprobs = program.op1([ddropped, mask1], p + "attn.probs", scores)
                let dscores = program.op1([dprobs, probs], p + "attn.scores", scores)
                let dqk = program.op1([dscores, qkv], p + "attn.qk", 2 * actShard)
                dqkv = program.op1([dqk, dv], p + "attn.qkv", 3 * actShard)
            }
            var dln1 = program.op1([dqkv, weight(w[0], p), program.op1([], p + "qkv.workspace", workspace)], p + "qkv.dgrad", act)
            accumulate(w[0], program.op1([ln1, dqkv], p + "qkv.wgrad", parameters[w[0]].elements * 4))
            accumulate(w[1], program.op1([dqkv], p + "qkv.bias.wgrad", parameters[w[1]].elements * 4))
            if tp > 1 { dln1 = program.op1([dln1], p + "qkv.dgrad.allreduce", act) }
            let n1 = program.op([dln1, x, mean1, rstd1, weight(w[4], p), n2[0]],
                                [(p + "x", act), (p + "ln1.scale.wgrad", parameters[w[4]].elements * 4), (p + "ln1.bias.wgrad", parameters[w[5]].elements * 4)])
            accumulate(w[4], n1[1])
            accumulate(w[5], n1[2])
            return n1[0]
        }

        /// Gradient reduction, norm and finiteness, Adam, weight gathers.
        mutating func optimizerStep() {
            var shards: [TraceProgram.Value] = []
            var squares: [TraceProgram.Value] = []
            var finite: [TraceProgram.Value] = []
            for p in parameters.indices {
                guard let grad = parameters[p].gradient else { shards.append(-1); continue }
                let name = parameters[p].name
                let shard = dp > 1 ? program.op1([grad], name + ".grad.reduce-scatter", parameters[p].elements * 4 / dp) : grad
                shards.append(shard)
                let out = program.op([shard], [(name + ".grad.sq", 4), (name + ".grad.finite", 1)])
                squares.append(out[0])
                finite.append(out[1])
            }
            let norm = program.op([], [("grad.norm", 4), ("grad.finite", 1)])
            program.op(squares + finite + norm)  // reduce into the norm and the flag
            if tp > 1 || c.pipelineStages > 1 { _ = program.op1([norm[0]], "grad.norm.allreduce", 4) }
            for p in parameters.indices where shards[p] >= 0 {
                let name = parameters[p].name
                let update = program.op1([shards[p], parameters[p].master] + parameters[p].moments + norm, name + ".update", parameters[p].elements * 4 / dp)
                program.op([update, parameters[p].master, parameters[p].weight])
                if dp > 1 && !c.shardedWeights {
                    let gathered = program.op1([parameters[p].weight], name + ".allgather", parameters[p].elements * 2)
                    program.op([gathered, parameters[p].weight])
                }
            }
        }
    }
}

extension TrainingTraceConfig {
    /// A 2.6 B-parameter decoder (32 layers × 2560) trained on one device
    /// with gradient accumulation, full attention matrices: ≈ 18,700
    /// buffers for 8 micro-batches.
    public static var llm2B: TrainingTraceConfig {
        var c = TrainingTraceConfig()
        c.layers = 32; c.hidden = 2_560; c.heads = 32; c.ffn = 10_240
        c.sequence = 2_048; c.microBatchSize = 1; c.microBatches = 8
        c.vocabulary = 50_304
        return c
    }

    /// Issue 14's large model-parallel trace (≈ 62k buffers): a 48-layer,
    /// 8,192-wide decoder, tensor-parallel 8, pipeline stage 1 of 4, 72
    /// micro-batches.
    public static var modelParallel62k: TrainingTraceConfig {
        var c = llm2B
        c.layers = 48; c.hidden = 8_192; c.heads = 64; c.ffn = 32_768; c.tensorParallel = 8
        c.pipelineStages = 4; c.stage = 1; c.microBatches = 72; c.seed = 11
        return c
    }

    /// Issue 14's 200k-buffer trace (196,673 buffers): a 96-layer,
    /// 12,288-wide decoder, tensor-parallel 8, pipeline 2, data-parallel 4,
    /// 63 micro-batches.
    public static var modelParallel200k: TrainingTraceConfig {
        var c = llm2B
        c.layers = 96; c.hidden = 12_288; c.heads = 96; c.ffn = 49_152; c.tensorParallel = 8
        c.pipelineStages = 2; c.microBatches = 63; c.dataParallel = 4; c.seed = 12
        return c
    }
}
