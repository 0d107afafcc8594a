import Foundation
import Units

/// A JSON document as values, so that a profile is checked field by field
/// with the field's path in every message (`tiers[2].readCurve[0].chunk`),
/// and integers are told apart from fractions (sizes must be whole bytes).
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        if let value = try? container.decode(Int.self) { self = .integer(value); return }
        if let value = try? container.decode(Double.self) { self = .number(value); return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if let value = try? container.decode([JSONValue].self) { self = .array(value); return }
        if let value = try? container.decode([String: JSONValue].self) { self = .object(value); return }
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
    }

    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// Why a profile file was refused: the field (a path into the document)
/// and what is wrong with it.
public struct ProfileError: Error, CustomStringConvertible, Sendable, Equatable {
    public var field: String?
    public var message: String

    public init(field: String?, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { field.map { "\($0): \(message)" } ?? message }
}

/// Reads the fields of one JSON object, remembering which were used so
/// that unknown keys are refused (a misspelt key would otherwise be
/// silently ignored and its default used).
struct ProfileFields {
    let object: [String: JSONValue]
    let path: String

    init(_ value: JSONValue, path: String) throws(ProfileError) {
        guard case .object(let object) = value else {
            throw ProfileError(field: path.isEmpty ? nil : path, "must be a JSON object, got \(value.typeName)")
        }
        self.object = object
        self.path = path
    }

    func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    func has(_ key: String) -> Bool { object[key] != nil && object[key] != .null }

    func refuseUnknown(allowed: Set<String>, hints: [String: String] = [:]) throws(ProfileError) {
        for key in object.keys.sorted() where !allowed.contains(key) {
            if let hint = hints[key] { throw ProfileError(field: field(key), hint) }
            throw ProfileError(field: field(key), "unknown key (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    func string(_ key: String) throws(ProfileError) -> String? {
        guard let value = object[key], value != .null else { return nil }
        guard case .string(let text) = value else { throw ProfileError(field: field(key), "must be a string, got \(value.typeName)") }
        guard text.utf8.count <= 4096 else { throw ProfileError(field: field(key), "is longer than 4096 bytes") }
        return text
    }

    func requiredString(_ key: String) throws(ProfileError) -> String {
        guard let text = try string(key) else { throw ProfileError(field: field(key), "is missing") }
        return text
    }

    func number(_ key: String) throws(ProfileError) -> Double? {
        guard let value = object[key], value != .null else { return nil }
        switch value {
        case .integer(let i): return Double(i)
        case .number(let x):
            guard x.isFinite else { throw ProfileError(field: field(key), "must be a finite number") }
            return x
        default: throw ProfileError(field: field(key), "must be a number, got \(value.typeName)")
        }
    }

    func requiredNumber(_ key: String) throws(ProfileError) -> Double {
        guard let x = try number(key) else { throw ProfileError(field: field(key), "is missing") }
        return x
    }

    /// A size: whole bytes as a JSON integer, or a string in the byte-size grammar.
    func size(_ key: String) throws(ProfileError) -> Int? {
        guard let value = object[key], value != .null else { return nil }
        return try Self.size(value, field: field(key))
    }

    func requiredSize(_ key: String) throws(ProfileError) -> Int {
        guard let bytes = try size(key) else { throw ProfileError(field: field(key), "is missing") }
        return bytes
    }

    static func size(_ value: JSONValue, field: String) throws(ProfileError) -> Int {
        switch value {
        case .integer(let i):
            guard i >= 0 else { throw ProfileError(field: field, "sizes cannot be negative, got \(i)") }
            return i
        case .string(let text):
            do {
                return try ByteCount.parse(text)
            } catch {
                throw ProfileError(field: field, error.description)
            }
        default:
            throw ProfileError(field: field, "must be a size: whole bytes, or a string such as \"16GiB\" (\(ByteCount.grammar)); got \(value.typeName)")
        }
    }

    func array(_ key: String) throws(ProfileError) -> [JSONValue]? {
        guard let value = object[key], value != .null else { return nil }
        guard case .array(let items) = value else { throw ProfileError(field: field(key), "must be an array, got \(value.typeName)") }
        return items
    }

    func stringMap(_ key: String) throws(ProfileError) -> [String: String]? {
        guard let value = object[key], value != .null else { return nil }
        guard case .object(let entries) = value else { throw ProfileError(field: field(key), "must be an object, got \(value.typeName)") }
        var result: [String: String] = [:]
        for (name, entry) in entries {
            guard case .string(let text) = entry else { throw ProfileError(field: "\(field(key)).\(name)", "must be a string") }
            result[name] = text
        }
        return result
    }
}

/// Writes sizes back in the grammar, exactly: whole binary units when they
/// divide the size, plain bytes otherwise.
enum SizeText {
    static func exact(_ bytes: Int) -> String {
        for (unit, shift) in [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)] where bytes >= 1 << shift && bytes % (1 << shift) == 0 {
            return "\(bytes >> shift)\(unit)"
        }
        return "\(bytes)"
    }
}
