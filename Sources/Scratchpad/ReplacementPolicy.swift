/// Which resident tensor leaves when the scratchpad is full.
public enum ReplacementPolicy: String, Sendable, CaseIterable, Codable {
    /// Belady's choice: the tensor whose next use is furthest away (never
    /// used again counts as furthest). Optimal for equal sizes and free
    /// stores; a strong baseline otherwise.
    case belady
    /// The tensor used least recently.
    case lru
}
