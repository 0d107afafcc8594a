import MILP

extension HardwareProfile {
    /// The profile's tiers with the workload's capacities for the GPU, the
    /// host and (with three tiers or more) the last tier: the options
    /// `--gpu-mem`, `--cpu-mem` and `--disk` override those.
    public func tierSpecs(for workload: OffloadWorkload) -> [TierSpec] {
        var specs = tierSpecs
        func bytes(_ value: Double) -> Int { Int(min(max(value, 0), Double(OffloadLimits.maximumCapacity))) }
        specs[0].capacity = bytes(workload.gpuBytes)
        specs[1].capacity = bytes(workload.cpuBytes)
        if specs.count >= 3 { specs[specs.count - 1].capacity = bytes(workload.diskBytes) }
        return specs
    }
}

extension PolicySearch {
    /// The placement FlexGen's runtime would execute for a fractional
    /// policy: the same whole tensors in every layer (FlexGen's disk is the
    /// chain's last tier).
    public func flexGenPlacement(of policy: OffloadPolicy) -> LayerPlacement {
        LayerPlacement.flexGenRounding(of: policy, sizes: sizes, chain: TierChain(hardware.tierSpecs(for: workload)),
                                       layers: shape.layers, kvHeads: shape.kvHeads)
    }

    /// Simulates and verifies a placement at a batch shape with the block
    /// plan of exact mode (``SimulatedPolicy``), with this search's byte counts;
    /// stops with ``OffloadBlockPlan/BuildError/timeLimit`` once `deadline` passes.
    public func simulate(gbs: Int, nb: Int, placement: LayerPlacement, decodeSegments: Int = 3,
                         deadline: Deadline = .none) throws(OffloadBlockPlan.BuildError) -> SimulatedPolicy {
        let chain = TierChain(hardware.tierSpecs(for: workload))
        let cost = ChainCostModel(shape: shape, sizes: sizes, chain: chain, hardware: hardware, workload: workload, gbs: gbs, nb: nb)
        let segments = ChainCostModel.segments(prompt: workload.promptLength, generated: workload.generatedTokens, count: decodeSegments)
        return try SimulatedPolicy.simulate(cost: cost, segments: segments, placement: placement, deadline: deadline)
    }
}
