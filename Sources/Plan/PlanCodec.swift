import Foundation
import OutputFiles

/// Reading and writing plans as JSON (schema: Schemas/plan.schema.json).
public enum PlanCodec {
    public struct Error: Swift.Error, CustomStringConvertible, Sendable {
        public let file: String
        public let reason: String
        public var description: String { "\(file): \(reason)" }
    }

    public static func encode(_ plan: Plan, pretty: Bool = false) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        // Encoding value types with String keys and finite numbers cannot fail.
        return (try? encoder.encode(plan)) ?? Data("{}".utf8)
    }

    /// One pass over the bytes when the plan is well formed; the version is
    /// probed separately only to explain a failure.
    public static func decode(_ data: Data, file: String = "plan") throws(PlanCodec.Error) -> Plan {
        let plan: Plan
        do {
            plan = try JSONDecoder().decode(Plan.self, from: data)
        } catch {
            try explainVersion(data, file: file)
            switch error {
            case DecodingError.keyNotFound(let key, let context):
                throw Error(file: file, reason: "missing \"\(key.stringValue)\" at \(path(context.codingPath))")
            case DecodingError.typeMismatch(_, let context):
                throw Error(file: file, reason: "wrong type at \(path(context.codingPath))")
            case DecodingError.valueNotFound(_, let context):
                throw Error(file: file, reason: "null at \(path(context.codingPath))")
            case DecodingError.dataCorrupted(let context):
                throw Error(file: file, reason: "invalid value at \(path(context.codingPath))")
            default:
                throw Error(file: file, reason: "unreadable plan")
            }
        }
        guard (1 ... Plan.currentVersion).contains(plan.version) else {
            throw Error(file: file, reason: "plan version \(plan.version); this Stowage reads versions 1 to \(Plan.currentVersion)")
        }
        var current = plan
        current.version = Plan.currentVersion
        return current
    }

    /// Throws the clearer error when the text is not an object, lacks a
    /// version, or has a version this build does not read.
    private static func explainVersion(_ data: Data, file: String) throws(PlanCodec.Error) {
        struct VersionOnly: Decodable { var version: Int? }
        guard let probe = try? JSONDecoder().decode(VersionOnly.self, from: data) else {
            throw Error(file: file, reason: "not a JSON object")
        }
        guard let version = probe.version else { throw Error(file: file, reason: "missing \"version\"") }
        guard (1 ... Plan.currentVersion).contains(version) else {
            throw Error(file: file, reason: "plan version \(version); this Stowage reads versions 1 to \(Plan.currentVersion)")
        }
    }

    public static func read(contentsOf path: String) throws(PlanCodec.Error) -> Plan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Error(file: path, reason: "cannot read the file")
        }
        return try decode(data, file: path)
    }

    /// Writes atomically (``OutputFile``): a reader never sees half a
    /// plan, and nothing but a regular file at `path` is ever replaced.
    public static func write(_ plan: Plan, to path: String) throws(PlanCodec.Error) {
        do {
            try OutputFile.write(encode(plan, pretty: true), to: path)
        } catch {
            throw Error(file: path, reason: error.reason)
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}
