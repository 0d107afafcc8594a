import Foundation
import StowageKit

/// What `stowage_allocate` returns:
/// `{"gap": 0, "height": 176, "lowerBound": 176, "method": "greedy-…",
/// "offsets": [0, 64, …], "optimal": true, "seconds": 0.001}`, offsets in
/// the order the buffers were given.
struct AllocationJSON: Encodable {
    var offsets: [Int]
    var height: Int
    var lowerBound: Int
    var optimal: Bool
    var gap: Double
    var method: String
    var seconds: Double

    init(_ result: AllocationResult) {
        offsets = result.offsets
        height = result.height
        lowerBound = result.lowerBound
        optimal = result.isOptimal
        gap = result.gap
        method = result.method
        seconds = (result.seconds * 1_000_000).rounded() / 1_000_000
    }

    var data: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Integers, booleans, strings and finite numbers always encode.
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }
}
