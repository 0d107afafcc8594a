import MILP

/// The linear program FlexGen solves for one batch shape: choose the nine
/// fractions and the per-layer prefill and decode times so as to minimise
/// the time per sequence, T / bls with T = l·Tpre + l·(n−1)·Tgen, under the
/// link, compute and memory rows of ``FlexGenCostModel``.
///
/// 11 variables and 20 rows whatever the model size, so one solve costs
/// tens of microseconds; a policy search solves a few dozen.
struct FlexGenLP {
    let cost: FlexGenCostModel
    /// Fractions fixed by the caller (fixed-policy evaluation), if any.
    let pinned: PinnedFractions?

    struct Built {
        var model: Model
        var fractions: FlexGenCostModel.Fractions
        var prefill: Variable
        var decode: Variable
        /// Capacity rows' slack variables, when built to diagnose a shortfall.
        var slacks: [(tier: String, variable: Variable)]
    }

    /// The LP; with `diagnose`, each capacity row gets a slack (in GB) and
    /// the objective becomes their sum, so its optimum says how much memory
    /// is missing where.
    func build(diagnose: Bool = false) -> Built {
        var model = Model(name: "flexgen-\(cost.shape.name)-gbs\(cost.gbs)-nb\(cost.nb)")
        func fraction(_ name: String, _ value: Double?) -> LinearExpression {
            LinearExpression(model.addVariable(lower: value ?? 0, upper: value ?? 1, name: name))
        }
        let f = FlexGenCostModel.Fractions(
            wg: fraction("wg", pinned?.wg), wc: fraction("wc", pinned?.wc), wn: fraction("wn", nil),
            cg: fraction("cg", pinned?.cg), cc: fraction("cc", pinned?.cc), cn: fraction("cn", nil),
            hg: fraction("hg", pinned?.hg), hc: fraction("hc", pinned?.hc), hn: fraction("hn", nil)
        )
        let rows = Self.addRows(to: &model, cost: cost, fractions: f, diagnose: diagnose)
        return Built(model: model, fractions: f, prefill: rows.prefill, decode: rows.decode, slacks: rows.slacks)
    }

    /// Adds the spec's rows over the fractions `f` to `model`: the three
    /// "each share sums to one" rows, activations off disk, the prefill and
    /// decode time rows, the five capacity rows (with slacks when
    /// diagnosing) and the objective. Shared by the LP and the whole-tensor
    /// MILP, so both optimise the same cost model.
    static func addRows(to model: inout Model, cost: FlexGenCostModel, fractions f: FlexGenCostModel.Fractions,
                        diagnose: Bool) -> (prefill: Variable, decode: Variable, slacks: [(tier: String, variable: Variable)]) {
        let prefill = model.addVariable(name: "Tpre")
        let decode = model.addVariable(name: "Tgen")
        model.add(f.wg + f.wc + f.wn == 1, name: "weights")
        model.add(f.cg + f.cc + f.cn == 1, name: "cache")
        model.add(f.hg + f.hc + f.hn == 1, name: "activations")
        model.add(f.hg + f.hc == 1, name: "activations off disk")

        model.add(prefill >= cost.prefillCpuToGpu(f) + cost.prefillDiskToCpu(f), name: "prefill load")
        model.add(prefill >= cost.prefillGpuToCpu(f) + cost.prefillCpuToDisk(f), name: "prefill store")
        model.add(prefill >= cost.prefillCompute, name: "prefill compute")
        let load = cost.decodeCpuToGpu(f)
        model.add(decode >= load + cost.decodeGpuToCpu(f), name: "decode store hidden")
        model.add(decode >= load + cost.decodeDiskToCpu(f), name: "decode disk read")
        model.add(decode >= load + cost.decodeCpuToDisk(f), name: "decode disk write")
        model.add(decode >= load + cost.decodeCompute(f), name: "decode compute")

        let alpha = cost.workload.alpha
        let capacities: [(String, LinearExpression, Double)] = [
            ("GPU (prefill)", cost.gpuPrefill(f), cost.workload.gpuBytes),
            ("GPU (decode)", cost.gpuDecode(f), cost.workload.gpuBytes),
            ("CPU (prefill)", cost.cpuPrefill(f), cost.workload.cpuBytes),
            ("CPU (decode)", cost.cpuDecode(f), cost.workload.cpuBytes),
            ("disk", cost.disk(f), cost.workload.diskBytes),
        ]
        var slacks: [(tier: String, variable: Variable)] = []
        for (tier, used, bytes) in capacities {
            var row = used
            if diagnose {
                let slack = model.addVariable(name: "short \(tier)")
                row -= slack
                slacks.append((tier: tier, variable: slack))
            }
            model.add(row <= alpha * bytes / FlexGenUnits.gigabyte, name: tier)
        }
        if diagnose {
            model.minimize(LinearExpression(sum: slacks.map(\.variable)))
        } else {
            let l = cost.l, n = cost.n
            model.minimize((l / cost.bls) * prefill + (l * (n - 1) / cost.bls) * decode)
        }
        return (prefill, decode, slacks)
    }

    /// Solves the LP; nil when the batch shape does not fit.
    func solve(with solver: any Solver) -> OffloadEstimate? {
        let built = build()
        let result = solver.solve(built.model)
        guard result.status == .optimal else { return nil }
        return estimate(built, values: result.values)
    }

    /// Throughput, times and peaks recomputed from the solution's fractions,
    /// independently of the objective the solver reports.
    func estimate(_ built: Built, values: [Double]) -> OffloadEstimate {
        Self.estimate(cost: cost, fractions: built.fractions, values: values)
    }

    /// Throughput, times and peaks of the fractions `f` take at `values`,
    /// evaluated from the cost model's expressions. O(size of the rows).
    static func estimate(cost: FlexGenCostModel, fractions f: FlexGenCostModel.Fractions, values: [Double]) -> OffloadEstimate {
        func v(_ x: LinearExpression) -> Double { x.value(at: values) }
        let policy = OffloadPolicy(gbs: cost.gbs, nb: cost.nb, wg: v(f.wg), wc: v(f.wc), wn: v(f.wn),
                                   cg: v(f.cg), cc: v(f.cc), cn: v(f.cn), hg: v(f.hg), hc: v(f.hc), hn: v(f.hn))
        let prefill = max(cost.prefillCpuToGpu(f).value(at: values) + cost.prefillDiskToCpu(f).value(at: values),
                          cost.prefillGpuToCpu(f).value(at: values) + cost.prefillCpuToDisk(f).value(at: values),
                          cost.prefillCompute)
        let load = cost.decodeCpuToGpu(f).value(at: values)
        let decode = load + max(cost.decodeGpuToCpu(f).value(at: values), cost.decodeDiskToCpu(f).value(at: values),
                                cost.decodeCpuToDisk(f).value(at: values), cost.decodeCompute(f).value(at: values))
        let total = cost.l * prefill + cost.l * (cost.n - 1) * decode
        let gb = FlexGenUnits.gigabyte
        return OffloadEstimate(
            policy: policy,
            throughput: cost.bls * cost.n / total,
            prefillSeconds: cost.l * prefill,
            decodeSeconds: cost.l * (cost.n - 1) * decode,
            gpuPeakBytes: gb * max(cost.gpuPrefill(f).value(at: values), cost.gpuDecode(f).value(at: values)),
            cpuPeakBytes: gb * max(cost.cpuPrefill(f).value(at: values), cost.cpuDecode(f).value(at: values)),
            diskPeakBytes: gb * cost.disk(f).value(at: values)
        )
    }
}
