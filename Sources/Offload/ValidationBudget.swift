import MILP

/// What checking a placement costs, so that exact mode reserves that time
/// inside its limit instead of finding out after the limit has passed.
///
/// Checking a placement (building its prefill and decode block plans,
/// verifying both, replaying the prefill and every decode segment) is
/// linear in the block's operators, layers × GPU batches: at 80 layers and
/// 94 batches it takes seconds, more than the search that chose it. Its
/// cost is estimated from the shape: seconds per block operator, measured
/// on this machine and under its present load by checking the same
/// placement at 2 GPU batches (and at nb/8 when that is not close enough:
/// the per-operator cost of fewer batches is the larger one, as the
/// per-layer work of streamed weights is shared by fewer batches), times the operators of the shape,
/// times ``PlacementSearch/validationMargin``; it must fit in
/// ``PlacementSearch/validationShare`` of the time left. A shape whose estimate does not
/// fit in the time left is not chosen; the check itself also stops at the
/// deadline (``SimulatedPolicy/simulate(cost:segments:placement:verify:deadline:)``),
/// so a placement is either checked within the limit or not returned.
extension PlacementSearch {
    /// GPU batches of the block a check at `nb` batches is measured on.
    static func calibrationBatches(for nb: Int) -> Int { max(2, nb / 8) }

    /// Operators of a block at `nb` GPU batches (the unit the check's cost is counted in).
    func blockOperators(nb: Int) -> Int { shape.layers * nb }

    /// Seconds to check a placement at `nb` GPU batches at `secondsPerOperator`, with the margin.
    func validationSeconds(nb: Int, secondsPerOperator: Double) -> Double {
        secondsPerOperator * Double(blockOperators(nb: nb)) * validationMargin
    }

    /// The placement's counts spread over a block of `nb` GPU batches
    /// (each tier's share of the cache and of the hidden states kept), nil
    /// when the counts do not allow it.
    func calibrationPlacement(_ placement: Placement, nb: Int) -> LayerPlacement? {
        guard let counts = adjusted(placement.counts, gbs: placement.gbs, nb: nb) else { return nil }
        return LayerPlacement.distribute(counts, sizes: sizes, chain: chain, layers: shape.layers, kvHeads: shape.kvHeads, batches: nb)
    }

    /// The seconds a check may take now: ``validationShare`` of the time
    /// left (infinite without a deadline).
    var validationBudget: Double { deadline.remaining.map { $0 * validationShare } ?? .infinity }

    /// Seconds per block operator of checking `placement`, measured by
    /// checking its counts at 2 GPU batches and, when that estimate leaves
    /// the check no room but a closer one might, again at
    /// ``calibrationBatches(for:)`` (fewer per-layer costs per operator);
    /// nil when that could not be done (the counts do not carry over, or
    /// the deadline passed). Time: 2/nb, and at most an eighth more, of the
    /// placement's own check.
    func measureValidationRate(_ placement: Placement) -> Double? {
        guard var rate = measuredRate(placement, nb: 2) else { return nil }
        let closer = Self.calibrationBatches(for: placement.nb)
        if closer > 2, validationSeconds(nb: placement.nb, secondsPerOperator: rate) > validationBudget,
           validationSeconds(nb: closer, secondsPerOperator: rate) <= validationBudget,
           let measured = measuredRate(placement, nb: closer) {
            rate = measured
        }
        return rate
    }

    /// Seconds per block operator of checking the counts of `placement` at `nb` GPU batches.
    func measuredRate(_ placement: Placement, nb: Int) -> Double? {
        guard let layers = calibrationPlacement(placement, nb: nb) else { return nil }
        let watch = Stopwatch()
        guard (try? SimulatedPolicy.simulate(cost: costModel(gbs: placement.gbs, nb: nb, chain: chain), segments: segments,
                                             placement: layers, deadline: deadline)) != nil else { return nil }
        return watch.seconds / Double(blockOperators(nb: nb))
    }
}
