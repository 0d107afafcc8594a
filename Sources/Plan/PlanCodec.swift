import Foundation

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

    public static func decode(_ data: Data, file: String = "plan") throws(PlanCodec.Error) -> Plan {
        struct VersionOnly: Decodable { var version: Int? }
        guard let probe = try? JSONDecoder().decode(VersionOnly.self, from: data) else {
            throw Error(file: file, reason: "not a JSON object")
        }
        guard let version = probe.version else { throw Error(file: file, reason: "missing \"version\"") }
        guard version == Plan.currentVersion else {
            throw Error(file: file, reason: "plan version \(version); this Stowage reads version \(Plan.currentVersion)")
        }
        do {
            return try JSONDecoder().decode(Plan.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw Error(file: file, reason: "missing \"\(key.stringValue)\" at \(path(context.codingPath))")
        } catch let DecodingError.typeMismatch(_, context) {
            throw Error(file: file, reason: "wrong type at \(path(context.codingPath))")
        } catch let DecodingError.valueNotFound(_, context) {
            throw Error(file: file, reason: "null at \(path(context.codingPath))")
        } catch let DecodingError.dataCorrupted(context) {
            throw Error(file: file, reason: "invalid value at \(path(context.codingPath))")
        } catch {
            throw Error(file: file, reason: "unreadable plan")
        }
    }

    public static func read(contentsOf path: String) throws(PlanCodec.Error) -> Plan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Error(file: path, reason: "cannot read the file")
        }
        return try decode(data, file: path)
    }

    /// Writes atomically: a reader never sees half a plan.
    public static func write(_ plan: Plan, to path: String) throws(PlanCodec.Error) {
        do {
            try encode(plan, pretty: true).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw Error(file: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}
