import Foundation

/// Where JSON text stops being JSON. `JSONDecoder` on Linux says only "The
/// given data was not valid JSON"; `JSONSerialization` says "around
/// character N", which this turns into a line and a column for people.
package enum JSONSyntax {
    /// `"line 3, column 16: invalid value"`, or `nil` when `data` parses.
    /// O(size of the data).
    package static func error(in data: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "not valid JSON"
            guard let offset = characterOffset(in: detail) else { return detail }
            var line = 1
            var lineStart = 0
            for (i, byte) in data.prefix(offset).enumerated() where byte == UInt8(ascii: "\n") {
                line += 1
                lineStart = i + 1
            }
            let what = detail.components(separatedBy: " around ").first?.lowercased() ?? "not valid JSON"
            return "line \(line), column \(offset - lineStart + 1): \(what)"
        }
    }

    /// N in "... around character N.".
    private static func characterOffset(in text: String) -> Int? {
        guard let range = text.range(of: "character ") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}
