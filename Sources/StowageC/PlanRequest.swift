import StowageKit

/// The options object of `stowage_plan` and `stowage_plan_file`:
///
/// ```json
/// {"capacity": "M_H", "method": "ilp", "solver": "glpk", "timeLimit": 10,
///  "dtypeBytes": 1, "alignment": 64, "symbols": {"batch": 1}}
/// ```
///
/// `capacity` is required: bytes (a number), a size (`"2MiB"`), or
/// `"M_R"`, `"M_H"`, `"M_P"`. Every other key is optional; unknown keys
/// are errors.
struct PlanRequest {
    var capacity: Capacity
    var options: PlanningOptions
    var symbols: [String: Int]

    static let keys: Set<String> = ["capacity", "method", "solver", "timeLimit", "dtypeBytes", "alignment", "symbols"]

    init(json text: String) throws(CAPIError) {
        let object = try JSONObjectReader(try JSONValue.parse(text, source: "options"), source: "options",
                                          allowed: Self.keys)
        guard let capacity = try capacityValue(object, "capacity") else {
            throw object.fail("capacity", "missing (bytes, a size such as \"2MiB\", or \"M_R\", \"M_H\", \"M_P\")")
        }
        self.capacity = capacity
        options = PlanningOptions()
        if let method = try object.choice("method", PlanningOptions.Method.self, aliases: ["belady": .baseline]) {
            options.method = method
        }
        if let solver = try object.choice("solver", PlanningOptions.SolverKind.self) { options.solver = solver }
        options.timeLimit = try object.double("timeLimit")
        options.dtypeBytes = try object.int("dtypeBytes")
        if let alignment = try object.int("alignment") { options.alignment = alignment }
        symbols = try symbolsValue(object, "symbols")
    }
}

/// A symbols member: names of symbolic dimensions to non-negative integers.
func symbolsValue(_ object: JSONObjectReader, _ key: String) throws(CAPIError) -> [String: Int] {
    guard let value = object.value(key) else { return [:] }
    guard case .object(let members) = value else { throw object.fail(key, "expected an object of names to integers, got \(value.kind)") }
    let inner = try JSONObjectReader(value, path: key, source: "options", allowed: Set(members.keys))
    var symbols: [String: Int] = [:]
    for name in members.keys.sorted() {
        guard let n = try inner.int(name), n >= 0 else { throw inner.fail(name, "expected a non-negative integer") }
        symbols[name] = n
    }
    return symbols
}

/// A capacity member: a number of bytes or a text the facade parses.
func capacityValue(_ object: JSONObjectReader, _ key: String) throws(CAPIError) -> Capacity? {
    guard let value = object.value(key) else { return nil }
    switch value {
    case .int(let n):
        guard n >= 1 else { throw object.fail(key, "must be at least 1 byte, got \(n)") }
        return .bytes(n)
    case .string(let text):
        guard let capacity = Capacity(parsing: text) else {
            throw object.fail(key, "'\(text)' is neither a size (2MiB, 1048576) nor M_R, M_H, M_P")
        }
        return capacity
    default:
        throw object.fail(key, "expected bytes (an integer) or a string such as \"2MiB\" or \"M_H\", got \(value.kind)")
    }
}
