/// Costs are sums of operator costs in floating point, and bounds come
/// from solvers with tolerances of their own, so a cost and a bound that
/// agree may differ in their last digits: they are compared beyond that
/// rounding, here, in one place (the search's stop at its target, a bound
/// proving a schedule optimal, a bound raising another).
enum CostTolerance {
    /// Whether `a` is above `b` by more than rounding: 1e-9 of `b`, and at least 1e-9.
    static func isAbove(_ a: Double, _ b: Double) -> Bool {
        a > b + 1e-9 * max(1, abs(b))
    }
}
