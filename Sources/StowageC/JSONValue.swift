import Foundation
import StowageKit

/// A JSON document as plain values, so that the C API can check every key
/// and name the place of a mistake (`buffers[3].size`), which a
/// `Decodable` struct's error does only vaguely, and reject keys it does
/// not know (a typo in an option must not be silently ignored).
/// Numbers keep what the text says (``JSONReader``): `.int` for one
/// written as an integer, `.double` for one written with a fraction or an
/// exponent (`1.0` is a fraction, never the integer 1).
enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses `text`; a syntax error says where (line and column when the
    /// parser tells).
    static func parse(_ text: String, source: String) throws(CAPIError) -> JSONValue {
        do {
            return try JSONReader.parse(text)
        } catch {
            // Foundation's message says where, as line and column, for syntax errors.
            let detail = JSONSyntax.error(in: Data(text.utf8)) ?? "\(error.reason) at byte \(error.offset + 1)"
            throw CAPIError(code: .badInput, message: "\(source): not valid JSON: \(detail)")
        }
    }

    /// What a value is, for messages: `a string`, `null`, `an array`.
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Reads the members of one JSON object, knowing where it is.
struct JSONObjectReader {
    let members: [String: JSONValue]
    /// Where the object is: empty for the document itself, `[3]` for an
    /// item of a top-level array, `symbols` for a member.
    let path: String
    let source: String

    init(_ value: JSONValue, path: String = "", source: String, allowed: Set<String>) throws(CAPIError) {
        self.path = path
        self.source = source
        guard case .object(let members) = value else {
            throw CAPIError(code: .badInput, message: "\(source): \(path.isEmpty ? "" : "\(path): ")expected an object, got \(value.kind)")
        }
        if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw CAPIError(code: .badInput,
                            message: "\(source): \(Self.location(unknown, in: path)): unknown key (known: \(allowed.sorted().joined(separator: ", ")))")
        }
        self.members = members
    }

    func fail(_ key: String, _ reason: String) -> CAPIError {
        CAPIError(code: .badInput, message: "\(source): \(Self.location(key, in: path)): \(reason)")
    }

    /// The path of a member for messages: `capacity`, `[3].size`.
    static func location(_ key: String, in path: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The member, `nil` when absent or `null`.
    func value(_ key: String) -> JSONValue? {
        guard let v = members[key], v != .null else { return nil }
        return v
    }

    func int(_ key: String) throws(CAPIError) -> Int? {
        guard let v = value(key) else { return nil }
        switch v {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9e15: return Int(d)
        default: throw fail(key, "expected an integer, got \(v.kind)")
        }
    }

    func requiredInt(_ key: String) throws(CAPIError) -> Int {
        guard let i = try int(key) else { throw fail(key, "missing (an integer is required)") }
        return i
    }

    func double(_ key: String) throws(CAPIError) -> Double? {
        guard let v = value(key) else { return nil }
        switch v {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: throw fail(key, "expected a number, got \(v.kind)")
        }
    }

    func bool(_ key: String) throws(CAPIError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .bool(let b) = v else { throw fail(key, "expected true or false, got \(v.kind)") }
        return b
    }

    func string(_ key: String) throws(CAPIError) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { throw fail(key, "expected a string, got \(v.kind)") }
        return s
    }

    /// A string member that must be one of `choices`.
    func choice<T: RawRepresentable>(_ key: String, _ type: T.Type, aliases: [String: T] = [:]) throws(CAPIError) -> T?
        where T.RawValue == String, T: CaseIterable {
        guard let text = try string(key) else { return nil }
        if let value = T(rawValue: text.lowercased()) ?? aliases[text.lowercased()] { return value }
        throw fail(key, "'\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
    }
}
