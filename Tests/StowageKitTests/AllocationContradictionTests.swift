import Foundation
import StowageC
import Testing
@testable import StowageKit

/// Pins that contradict each other or the capacity are bad input (status
/// 2, `.badInput`) naming both buffers, in the Swift API and the C API
/// alike; every answer that does come back was validated.
@Suite struct AllocationContradictionTests {
    static let overlapping = [Buffer(id: "p", lower: 0, upper: 4, size: 8, fixedOffset: 0),
                              Buffer(id: "q", lower: 2, upper: 6, size: 8, fixedOffset: 4)]
    static let overlappingJSON = #"[{"id": "p", "lower": 0, "upper": 4, "size": 8, "offset": 0}, {"id": "q", "lower": 2, "upper": 6, "size": 8, "offset": 4}]"#

    /// `stowage_allocate` as C calls it: the status and the error text.
    func allocate(_ buffers: String, _ options: String?) -> (status: Int32, error: String?) {
        var out: UnsafeMutablePointer<CChar>?
        var error: UnsafeMutablePointer<CChar>?
        let status = buffers.withCString { b in
            options.map { o in o.withCString { stowage_allocate(b, $0, &out, &error) } } ?? stowage_allocate(b, nil, &out, &error)
        }
        defer {
            stowage_free(out)
            stowage_free(error)
        }
        return (status, error.map { String(cString: $0) })
    }

    @Test func overlappingPinsAreBadInputEverywhere() {
        for capacity in [nil, 100] as [Int?] {
            #expect {
                try Planner().allocate(Self.overlapping, capacity: capacity)
            } throws: { error in
                guard case .badInput(_, let location, let reason) = error as? StowageError else { return false }
                return location == "buffers 'p' and 'q'" && reason.contains("steps [0, 4)") && reason.contains("bytes [4, 12)")
            }
            let answer = allocate(Self.overlappingJSON, capacity.map { #"{"capacity": \#($0)}"# })
            #expect(answer.status == 2, "\(answer.error ?? "")")
            #expect(answer.error?.contains("'p'") == true && answer.error?.contains("'q'") == true)
        }
    }

    @Test func pinsBeyondTheCapacityOrOffTheirAlignmentAreBadInput() {
        let beyond = #"[{"id": "p", "lower": 0, "upper": 4, "size": 8, "offset": 8}]"#
        #expect(allocate(beyond, #"{"capacity": 12}"#).status == 2)
        #expect(allocate(beyond, #"{"capacity": 16}"#).status == 0)
        let misaligned = #"[{"id": "p", "lower": 0, "upper": 4, "size": 8, "alignment": 16, "offset": 8}]"#
        #expect(allocate(misaligned, nil).status == 2)
        let huge = #"[{"id": "p", "lower": 0, "upper": 4, "size": 8, "offset": 4611686018427387904}]"#
        #expect(allocate(huge, nil).status == 2)
    }
}
