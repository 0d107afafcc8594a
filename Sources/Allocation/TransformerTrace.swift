/// A realistic allocation trace: training steps of a decoder-only
/// transformer with gradient accumulation over micro-batches.
///
/// Each micro-batch runs the forward pass through every layer, then the
/// backward pass in reverse. A layer's forward creates its activations
/// (layer-norm outputs, QKV, attention scores and probabilities, MLP
/// hidden states), most of which are saved until the layer's backward; the
/// backward creates activation gradients that live for a step or two and
/// consumes the saved activations. Every layer's weight gradient is
/// accumulated across micro-batches: it lives from the layer's first
/// backward to the end of the step, so no time boundary splits the trace.
/// Micro-batches have different sequence lengths, so sizes vary.
public enum TransformerTrace {
    /// About `23 × layers × microBatches` buffers (plus `layers`
    /// accumulators); 48 layers × 57 micro-batches is ≈ 60,000.
    public static func make(layers: Int = 48, microBatches: Int = 57, hidden: Int = 1_024, heads: Int = 16,
                            seed: UInt64 = 7) -> AllocationProblem {
        var rng = SplitMix64(seed: seed)
        var buffers: [Buffer] = []
        var time = 0
        let bytes = 2 // bf16
        let ffn = 4 * hidden
        var accumulatorStart = [Int?](repeating: nil, count: layers)
        var accumulatorSize = [Int](repeating: 0, count: layers)
        for l in 0 ..< layers {
            // Weights: 4 h² attention + 2 h·ffn MLP, gradients in fp32.
            accumulatorSize[l] = (4 * hidden * hidden + 2 * hidden * ffn) * 4 / 64
        }

        func add(_ name: String, _ lower: Int, _ upper: Int, _ size: Int) {
            buffers.append(Buffer(id: name, lower: lower, upper: max(upper, lower + 1), size: size, alignment: 64))
        }

        for m in 0 ..< microBatches {
            let seq = 128 * Int.random(in: 2 ... 16, using: &rng)
            let batch = Int.random(in: 1 ... 4, using: &rng)
            let act = batch * seq * hidden * bytes
            let scores = batch * heads * seq * seq * bytes / 8  // flash-style tiles, not the full matrix
            let mlp = batch * seq * ffn * bytes
            var saved: [[(name: String, start: Int, size: Int)]] = Array(repeating: [], count: layers)
            var residual = (name: "m\(m).embed", start: time, size: act)
            time += 1
            // Forward.
            for l in 0 ..< layers {
                let p = "m\(m).l\(l)."
                let t = time
                let ln1 = (p + "ln1", t, act)
                let qkv = (p + "qkv", t + 1, 3 * act)
                let sc = (p + "scores", t + 2, scores)
                add(p + "probs.tmp", t + 2, t + 4, scores)
                let attn = (p + "attn", t + 3, act)
                add(p + "proj", t + 4, t + 6, act)
                // The layer's input (the residual stream) is saved for its backward.
                saved[l].append(residual)
                let res1 = (p + "res1", t + 5, act)
                let ln2 = (p + "ln2", t + 6, act)
                let up = (p + "mlp.up", t + 7, mlp)
                let gelu = (p + "mlp.gelu", t + 8, mlp)
                add(p + "mlp.down", t + 9, t + 11, act)
                residual = (p + "res2", t + 10, act)
                saved[l] += [ln1, qkv, sc, attn, res1, ln2, up, gelu]
                time = t + 11
            }
            // Loss and the gradient of the output.
            add("m\(m).logits", time, time + 2, batch * seq * 32_000 * bytes / 16)
            add(residual.name, residual.start, time + 2, residual.size)
            time += 2
            // Backward, last layer first: each saved activation dies in
            // its layer's backward; activation gradients live briefly.
            for l in stride(from: layers - 1, through: 0, by: -1) {
                let p = "m\(m).l\(l).grad."
                let t = time
                if accumulatorStart[l] == nil { accumulatorStart[l] = t }
                add(p + "res2", t, t + 3, act)
                add(p + "mlp.gelu", t + 1, t + 3, mlp)
                add(p + "mlp.up", t + 2, t + 4, mlp)
                add(p + "ln2", t + 3, t + 5, act)
                add(p + "res1", t + 4, t + 7, act)
                add(p + "attn", t + 5, t + 7, act)
                add(p + "scores", t + 6, t + 8, scores)
                add(p + "qkv", t + 7, t + 9, 3 * act)
                add(p + "ln1", t + 8, t + 10, act)
                add(p + "wgrad.tmp", t + 2, t + 9, accumulatorSize[l] / 4)
                for (k, s) in saved[l].enumerated() {
                    // Saved activations die during this layer's backward.
                    add(s.name, s.start, t + 1 + (k * 9) / max(1, saved[l].count), s.size)
                }
                time = t + 10
            }
            time += 1
        }
        for l in 0 ..< layers {
            add("l\(l).wgrad.acc", accumulatorStart[l] ?? 0, time + 1, accumulatorSize[l])
        }
        return AllocationProblem(buffers: buffers)
    }
}
