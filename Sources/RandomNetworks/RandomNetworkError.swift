/// Parameters a generator cannot build a network from.
public struct RandomNetworkError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    public var description: String { "cannot generate the network: \(reason)" }
}
