import Foundation

/// A JSON value, decoded independently of the code under test.
public indirect enum JSONDocument: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONDocument])
    case object([String: JSONDocument])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONDocument].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONDocument].self)) }
    }

    public static func parse(_ text: String) throws -> JSONDocument {
        try JSONDecoder().decode(JSONDocument.self, from: Data(text.utf8))
    }
}

/// Checks documents against the JSON Schemas in Schemas/ (draft 2020-12),
/// for tests: the subset those schemas use (type, const, enum, required,
/// properties, additionalProperties, propertyNames, items, prefixItems,
/// minItems, maxItems, minimum, maximum, exclusiveMinimum, pattern, oneOf,
/// anyOf, local $ref). Anything else in a schema is an error, so a schema
/// cannot silently use a keyword this checker ignores.
public struct JSONSchemaCheck {
    let root: JSONDocument

    public init(schema: JSONDocument) { root = schema }

    /// The schema file `Schemas/NAME` of the repository.
    public init(named name: String, root repository: URL) throws {
        let text = try String(contentsOf: repository.appendingPathComponent("Schemas/\(name)"), encoding: .utf8)
        self.init(schema: try JSONDocument.parse(text))
    }

    /// The first violation, as "path: what", or `nil` when the document conforms.
    public func violation(of document: JSONDocument) -> String? {
        check(document, against: root, at: "$")
    }

    private static let known: Set<String> = [
        "$schema", "$id", "$defs", "title", "description", "default", "type", "const", "enum", "required", "properties",
        "additionalProperties", "propertyNames", "items", "prefixItems", "minItems", "maxItems", "minimum", "maximum",
        "exclusiveMinimum", "pattern", "minLength", "oneOf", "anyOf", "$ref",
    ]

    private func check(_ value: JSONDocument, against schema: JSONDocument, at path: String) -> String? {
        if case .bool(let allowed) = schema { return allowed ? nil : "\(path): not allowed" }
        guard case .object(let s) = schema else { return "\(path): schema is not an object" }
        if let unknown = s.keys.first(where: { !Self.known.contains($0) }) { return "schema keyword '\(unknown)' unsupported" }
        if case .string(let ref)? = s["$ref"] {
            guard ref.hasPrefix("#/$defs/"), case .object(let root)? = Optional(root), case .object(let defs)? = root["$defs"],
                  let target = defs[String(ref.dropFirst(8))] else { return "\(path): unresolved $ref \(ref)" }
            if let failure = check(value, against: target, at: path) { return failure }
        }
        if let types = s["type"], !matchesType(value, types) { return "\(path): \(describe(value)) is not of type \(types)" }
        if let constant = s["const"], !same(constant, value) { return "\(path): \(describe(value)) is not \(constant)" }
        if case .array(let options)? = s["enum"], !options.contains(where: { same($0, value) }) {
            return "\(path): \(describe(value)) is not one of \(options)"
        }
        if case .number(let n) = value {
            if case .number(let low)? = s["minimum"], n < low { return "\(path): \(n) < \(low)" }
            if case .number(let high)? = s["maximum"], n > high { return "\(path): \(n) > \(high)" }
            if case .number(let low)? = s["exclusiveMinimum"], n <= low { return "\(path): \(n) <= \(low)" }
        }
        if case .string(let text) = value, case .number(let n)? = s["minLength"], Double(text.count) < n {
            return "\(path): '\(text)' is shorter than \(Int(n))"
        }
        if case .string(let text) = value, case .string(let pattern)? = s["pattern"],
           text.range(of: pattern, options: .regularExpression) == nil {
            return "\(path): '\(text)' does not match \(pattern)"
        }
        if case .object(let members) = value {
            if case .array(let required)? = s["required"] {
                for case .string(let key) in required where members[key] == nil { return "\(path): missing '\(key)'" }
            }
            var properties: [String: JSONDocument] = [:]
            if case .object(let p)? = s["properties"] { properties = p }
            for key in members.keys.sorted() {
                let member = members[key]!
                if let names = s["propertyNames"], let failure = check(.string(key), against: names, at: "\(path).\(key) (name)") {
                    return failure
                }
                if let sub = properties[key] {
                    if let failure = check(member, against: sub, at: "\(path).\(key)") { return failure }
                } else if let extra = s["additionalProperties"],
                          let failure = check(member, against: extra, at: "\(path).\(key)") {
                    return failure
                }
            }
        }
        if case .array(let items) = value {
            if case .number(let n)? = s["minItems"], Double(items.count) < n { return "\(path): fewer than \(Int(n)) items" }
            if case .number(let n)? = s["maxItems"], Double(items.count) > n { return "\(path): more than \(Int(n)) items" }
            var prefix = 0
            if case .array(let schemas)? = s["prefixItems"] {
                prefix = min(schemas.count, items.count)
                for i in 0 ..< prefix {
                    if let failure = check(items[i], against: schemas[i], at: "\(path)[\(i)]") { return failure }
                }
            }
            if let rest = s["items"] {
                for i in prefix ..< items.count {
                    if let failure = check(items[i], against: rest, at: "\(path)[\(i)]") { return failure }
                }
            }
        }
        if case .array(let options)? = s["oneOf"] {
            let matches = options.filter { check(value, against: $0, at: path) == nil }.count
            if matches != 1 {
                let first = options.lazy.compactMap { check(value, against: $0, at: path) }.first ?? ""
                return "\(path): matches \(matches) of oneOf's \(options.count) schemas (\(first))"
            }
        }
        if case .array(let options)? = s["anyOf"], !options.contains(where: { check(value, against: $0, at: path) == nil }) {
            return "\(path): matches none of anyOf"
        }
        return nil
    }

    private func matchesType(_ value: JSONDocument, _ types: JSONDocument) -> Bool {
        let names: [String]
        switch types {
        case .string(let name): names = [name]
        case .array(let list): names = list.compactMap { if case .string(let n) = $0 { return n } else { return nil } }
        default: return false
        }
        return names.contains { name in
            switch (name, value) {
            case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array), ("object", .object):
                return true
            case ("integer", .number(let n)):
                return n.rounded() == n && n.isFinite
            default:
                return false
            }
        }
    }

    private func same(_ a: JSONDocument, _ b: JSONDocument) -> Bool { a == b }

    private func describe(_ value: JSONDocument) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return "\(b)"
        case .number(let n): return "\(n)"
        case .string(let s): return "'\(s)'"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
