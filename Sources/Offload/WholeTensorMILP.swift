import MILP

/// A tier of the offload machine.
public enum OffloadTier: String, Sendable, Codable, CaseIterable, Comparable {
    case gpu, cpu, disk

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A placement a runtime can execute as is: every weight tensor of a layer
/// on one tier (the same in every layer, as FlexGen's runtime does), the KV
/// cache in whole units of one KV head of one GPU batch, and the hidden
/// states in whole sequences of a GPU batch.
public struct WholeTensorPlacement: Sendable, Equatable, Codable {
    /// Tier of each of the layer's weight tensors, in ``LayerSizes/tensors`` order.
    public var weights: [NamedTier]
    /// KV-cache units (one KV head of one sequence batch) per tier: gpu, cpu, disk.
    public var cacheUnits: [Int]
    /// Hidden-state sequences of a GPU batch per tier: gpu, cpu (never disk).
    public var activationSequences: [Int]

    public struct NamedTier: Sendable, Equatable, Codable {
        public var tensor: String
        public var tier: OffloadTier
    }
}

/// The whole-tensor MILP for one batch shape: FlexGen's LP with the nine
/// fractions replaced by sums of integer choices, so the optimum is a
/// placement the runtime executes without rounding.
///
/// - weights: a binary x(t, tier) per tensor t of the layer and tier, one
///   tier per tensor; wg = Σ_t bytes(t)·x(t, gpu) / wi, likewise wc, wn;
/// - KV cache: integers kg + kc + kn = kvHeads (cache of one KV head of a
///   GPU batch is one tensor in FlexGen's layout); cg = kg / kvHeads;
/// - activations: integers ag + ac = gbs; hg = ag / gbs.
///
/// The rows are ``FlexGenLP/addRows(to:cost:fractions:diagnose:)``'s, so the
/// continuous relaxation of this MILP is exactly the LP and the LP's
/// optimum bounds the MILP's: throughput(MILP) ≤ throughput(LP) at each
/// shape. 3·T binaries (T ≤ 10 tensors) and five integers: branch and bound
/// on a few dozen variables, milliseconds per shape.
struct WholeTensorMILP {
    let cost: FlexGenCostModel

    struct Built {
        var model: Model
        var fractions: FlexGenCostModel.Fractions
        var weightChoice: [[Variable]]
        var cache: [Variable]
        var activations: [Variable]
    }

    var cacheUnits: Int { cost.shape.kvHeads }

    func build() -> Built {
        var model = Model(name: "whole-tensor-\(cost.shape.name)-gbs\(cost.gbs)-nb\(cost.nb)")
        let tensors = cost.sizes.tensors
        let wi = cost.sizes.weightBytes
        var choice: [[Variable]] = []
        var shares = [LinearExpression](repeating: LinearExpression(), count: 3)
        for tensor in tensors {
            let x = OffloadTier.allCases.map { model.addBinary(name: "\(tensor.name)@\($0.rawValue)") }
            model.add(LinearExpression(sum: x) == 1, name: "\(tensor.name) placed once")
            for (k, variable) in x.enumerated() { shares[k] += (tensor.bytes / wi) * variable }
            choice.append(x)
        }
        let units = Double(cacheUnits)
        let cache = OffloadTier.allCases.map { model.addInteger(lower: 0, upper: units, name: "cache heads@\($0.rawValue)") }
        let batch = Double(cost.gbs)
        let activations = [OffloadTier.gpu, .cpu].map { model.addInteger(lower: 0, upper: batch, name: "hidden seqs@\($0.rawValue)") }
        let f = FlexGenCostModel.Fractions(
            wg: shares[0], wc: shares[1], wn: shares[2],
            cg: (1 / units) * cache[0], cc: (1 / units) * cache[1], cn: (1 / units) * cache[2],
            hg: (1 / batch) * activations[0], hc: (1 / batch) * activations[1], hn: LinearExpression()
        )
        _ = FlexGenLP.addRows(to: &model, cost: cost, fractions: f, diagnose: false)
        // Ties are common (a tensor on disk costs nothing while the disk link
        // is not the bottleneck); prefer the faster tier among equals with a
        // tie-break worth at most 2·10⁻⁷ of a lower bound on the objective
        // (the compute time alone), so the optimum moves by less than that.
        let computeOnly = (cost.l * cost.prefillCompute + cost.l * (cost.n - 1) * cost.decodeCompute(f).constant) / cost.bls
        let epsilon = 1e-7 * computeOnly
        model.minimize(model.objective + epsilon * (f.wn + f.cn) + (epsilon / 2) * (f.wc + f.cc + f.hc))
        return Built(model: model, fractions: f, weightChoice: choice, cache: cache, activations: activations)
    }

    /// The best whole-tensor placement at this shape, nil when none fits.
    /// Throughput, times and peaks are recomputed from the rounded integer
    /// values, not read from the solver's objective.
    func solve(with solver: any Solver) -> (estimate: OffloadEstimate, placement: WholeTensorPlacement)? {
        let built = build()
        let result = solver.solve(built.model)
        guard result.status == .optimal else { return nil }
        var exact = result.values
        for x in built.weightChoice.joined() + built.cache + built.activations { exact[x.index] = exact[x.index].rounded() }
        let placement = WholeTensorPlacement(
            weights: zip(cost.sizes.tensors, built.weightChoice).map { tensor, x in
                let k = x.indices.max { exact[x[$0].index] < exact[x[$1].index] }!
                return .init(tensor: tensor.name, tier: OffloadTier.allCases[k])
            },
            cacheUnits: built.cache.map { Int(exact[$0.index]) },
            activationSequences: built.activations.map { Int(exact[$0.index]) }
        )
        return (FlexGenLP.estimate(cost: cost, fractions: built.fractions, values: exact), placement)
    }
}
