/// Why an ``AllocationProblem`` cannot be solved as given. Each case names
/// the buffer by id; the CSV reader adds file and line (``BufferCSVError``).
public enum AllocationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A buffer with an empty lifetime, a negative size, a bad alignment or
    /// fixed offset (see ``Buffer/defect``).
    case invalidBuffer(id: String, reason: String)
    /// Two buffers share an id.
    case duplicateID(String)
    /// Sizes so large that some arena height could overflow 64 bits.
    case tooLarge(String)
    /// A negative capacity.
    case invalidCapacity(Int)
    /// Two pinned buffers alive at the same time overlap in memory: the
    /// input contradicts itself, whatever the capacity.
    case overlappingPins(Buffer, Buffer)
    /// A pinned buffer ends above the capacity.
    case pinBeyondCapacity(Buffer, capacity: Int)
    /// The caller's data does not match the problem (e.g. offsets of the
    /// wrong count handed to a decoder).
    case mismatch(String)

    public var description: String {
        switch self {
        case .invalidBuffer(let id, let reason): return "buffer '\(id)': \(reason)"
        case .duplicateID(let id): return "buffer id '\(id)' appears more than once"
        case .tooLarge(let reason): return reason
        case .invalidCapacity(let capacity): return "capacity \(capacity) must not be negative"
        case .mismatch(let reason): return reason
        case .overlappingPins(let a, let b):
            return "pinned buffers '\(a.id)' (steps [\(a.lower), \(a.upper)), bytes [\(a.fixedOffset ?? 0), \((a.fixedOffset ?? 0) + a.size))) and '\(b.id)' (steps [\(b.lower), \(b.upper)), bytes [\(b.fixedOffset ?? 0), \((b.fixedOffset ?? 0) + b.size))) overlap while both are alive"
        case .pinBeyondCapacity(let b, let capacity):
            return "pinned buffer '\(b.id)' (bytes [\(b.fixedOffset ?? 0), \((b.fixedOffset ?? 0) + b.size))) ends beyond the capacity \(capacity)"
        }
    }
}
