import Foundation
import Offload

/// An offload policy that passed its checks, with its figures: what
/// ``Planner/offload(configAt:options:)`` returns.
///
/// FlexGen mode: the LP's policy for the best batch shape found, its
/// fractions and peaks re-checked against the capacities (α included)
/// independently of the solver; with ``OffloadOptions/simulate``, FlexGen's
/// rounding of it simulated and its block plans verified too. Exact mode:
/// the whole-tensor placement, its block plans simulated and verified, and
/// the relaxation's and the MILPs' bounds.
public struct OffloadResult: Sendable {
    /// What `stowage offload --json` prints (Schemas/offload-report.schema.json).
    public var report: OffloadReport
    /// The config's name (its file's name, or the C API's `name`) and the profile's.
    public var model: String
    public var hardware: String
    /// The simulated block's plans, replayed by the verifier before they
    /// were returned: the prefill, and one decode step at the largest
    /// context (nil when nothing was simulated).
    public var prefillPlan: Plan?
    public var decodePlan: Plan?

    /// Generated tokens per second under the cost model.
    public var throughput: Double { report.throughput }
    /// Exact mode: no whole-tensor placement of the batch shapes the search
    /// visited reaches more tokens per second; nil in FlexGen mode (its LP
    /// is the model; the search over shapes gives no bound).
    public var bound: Double? { report.bound }
    /// (bound − throughput) / bound, nil without a bound.
    public var gap: Double? {
        report.bound.map { $0 > 0 ? max(0, $0 - report.throughput) / $0 : 0 }
    }

    /// The report, one JSON object with sorted keys.
    public func json() -> Data { report.json() }

    /// The report for people.
    public func text() -> String { report.text(model: model, hardware: hardware) }
}
