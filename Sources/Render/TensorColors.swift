import MemoryGraph

/// Fill colours by tensor kind, chosen to stay distinguishable for the
/// common forms of colour blindness (Okabe–Ito palette).
public enum TensorColors {
    public static func fill(for kind: TensorKind) -> String {
        switch kind {
        case .input: return "#E69F00"
        case .weight: return "#56B4E9"
        case .activation: return "#009E73"
        }
    }

    /// Marks for data movement: loads into the scratchpad, spills out of it.
    public static let load = "#0072B2"
    public static let spill = "#D55E00"
    public static let capacity = "#CC0000"
}
