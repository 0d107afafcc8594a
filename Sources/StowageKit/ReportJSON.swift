import Foundation

/// One line of JSON with sorted keys, as every `--json` report prints it.
/// The reports are value types with finite numbers and String keys, so
/// encoding cannot fail; the fallback only keeps the signature total.
func reportJSON(_ report: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return (try? encoder.encode(report)).map { String(decoding: $0, as: UTF8.self) } ?? #"{"version":1,"feasible":false}"#
}
