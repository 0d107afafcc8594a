/// Why a plan cannot be drawn at all. Smaller defects (an action naming a
/// tensor the plan does not list, a negative offset) do not stop a picture;
/// they are skipped and reported as ``Residency/warnings``, because a
/// picture of a broken plan is often how the breakage is found.
public enum RenderError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The plan's `computeTier` names no tier in its tier list.
    case missingComputeTier(String)
    /// The compute tier has no addresses, so there is no address axis.
    case computeTierNotAddressed(String)

    public var description: String {
        switch self {
        case .missingComputeTier(let name):
            return "the compute tier \"\(name)\" is not among the plan's tiers"
        case .computeTierNotAddressed(let name):
            return "the compute tier \"\(name)\" is not addressed, so there are no offsets to draw"
        }
    }
}
