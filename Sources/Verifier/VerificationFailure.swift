import Plan

/// The first thing wrong with a plan, located: the step, the operator, the
/// tensors and addresses involved, and a sentence that says what broke.
public struct VerificationFailure: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The plan was made for another graph (fingerprint, sizes, names).
        case wrongGraph
        /// An action or step is malformed (unknown tier or tensor, missing offset, misaligned offset).
        case malformed
        /// An operator reads a tensor that is not valid in the compute tier,
        /// or a copy reads one that is not valid in its source tier.
        case notResident
        /// A copy, an operator's write or a free needs space that the
        /// tensor does not have in that tier.
        case notAllocated
        /// A tensor is allocated in a tier where it already has space.
        case doubleAllocation
        /// An operator reads bytes that something else has overwritten (real-memory mode).
        case overwritten
        /// Two allocated ranges of an addressed tier overlap.
        case overlap
        /// A tier holds more than its capacity (or an allocation ends past it).
        case capacityExceeded
        /// An operator runs before one of its producers, twice, or never.
        case badOrder
        /// A graph output does not end valid in the home tier.
        case outputNotHome
        /// A claimed metric differs from what the replay measured.
        case metricMismatch
        /// The plan's residency table differs from the stays its actions make.
        case residencyMismatch
    }

    public var kind: Kind
    /// Step index in the plan, when the failure is tied to one.
    public var step: Int?
    /// The operator's name at that step.
    public var operatorName: String?
    public var tensors: [String]
    /// Byte ranges involved, as `[start, end)` pairs in the tier named in the message.
    public var addresses: [[Int]]
    public var message: String

    public init(kind: Kind, step: Int? = nil, operatorName: String? = nil, tensors: [String] = [],
                addresses: [[Int]] = [], message: String) {
        self.kind = kind
        self.step = step
        self.operatorName = operatorName
        self.tensors = tensors
        self.addresses = addresses
        self.message = message
    }

    public var description: String {
        var where_ = ""
        if let step { where_ = "step \(step)" + (operatorName.map { " (\($0))" } ?? "") + ": " }
        return where_ + message
    }
}
