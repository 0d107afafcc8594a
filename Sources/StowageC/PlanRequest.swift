import StowageKit

/// The options object of `stowage_plan` and `stowage_plan_file`, with the
/// CLI's option names in camelCase (`stowage plan --scratchpad M_H --method
/// ilp --schedule free --time-limit 60` is):
///
/// ```json
/// {"scratchpad": "M_H", "method": "ilp", "schedule": "free", "timeLimit": 60}
/// ```
///
/// `scratchpad` is required: bytes (a number), a size in the one byte
/// grammar (`"2MiB"`, `"1.5GB"`), or `"M_R"`, `"M_H"`, `"M_P"`. Every other
/// key is optional: `method`, `policy`, `schedule`, `solver`, `timeLimit`,
/// `gap`, `dtypeBytes`, `alignment`, `dims` (`{"batch": 1}`),
/// `unknownSizes` (`"error"` or `"zero"`). `capacity` and `symbols` are
/// accepted as the older names of `scratchpad` and `dims`. Unknown keys are
/// errors, and so are options the method would ignore; both are checked by
/// ``PlanningOptions/check()``, as for the CLI.
struct PlanRequest {
    var capacity: Capacity
    var options: PlanningOptions

    static let keys: Set<String> = ["scratchpad", "capacity", "method", "policy", "schedule", "solver", "timeLimit", "gap",
                                    "dtypeBytes", "alignment", "dims", "symbols", "unknownSizes"]

    init(json text: String) throws(CAPIError) {
        let object = try JSONObjectReader(try JSONValue.parse(text, source: "options"), source: "options",
                                          allowed: Self.keys)
        let capacityKey = try Self.oneOf("scratchpad", "capacity", in: object)
        guard let capacityKey, let capacity = try capacityValue(object, capacityKey) else {
            throw object.fail("scratchpad", "missing (bytes, a size such as \"2MiB\", or \"M_R\", \"M_H\", \"M_P\")")
        }
        self.capacity = capacity
        options = PlanningOptions()
        if let method = try object.choice("method", PlanningOptions.Method.self) { options.method = method }
        options.policy = try object.choice("policy", PlanningOptions.Policy.self)
        options.schedule = try object.choice("schedule", PlanningOptions.Schedule.self)
        options.solver = try object.choice("solver", PlanningOptions.SolverKind.self)
        options.timeLimit = try object.double("timeLimit")
        options.gap = try object.double("gap")
        options.dtypeBytes = try object.int("dtypeBytes")
        if let alignment = try object.int("alignment") { options.alignment = alignment }
        if let unknown = try object.choice("unknownSizes", PlanningOptions.UnknownSizes.self) { options.unknownSizes = unknown }
        options.dims = try dimsValue(object)
        do {
            try options.check()
        } catch {
            throw CAPIError(error)
        }
    }

    /// The key present of a name and its older alias; both at once is an error.
    static func oneOf(_ name: String, _ alias: String, in object: JSONObjectReader) throws(CAPIError) -> String? {
        switch (object.value(name) != nil, object.value(alias) != nil) {
        case (true, true): throw object.fail(alias, "the older name of \"\(name)\"; give one of them")
        case (true, false): return name
        case (false, true): return alias
        case (false, false): return nil
        }
    }
}

/// The `dims` member (or its older name `symbols`): names of symbolic
/// dimensions to non-negative integers.
func dimsValue(_ object: JSONObjectReader) throws(CAPIError) -> [String: Int] {
    guard let key = try PlanRequest.oneOf("dims", "symbols", in: object), let value = object.value(key) else { return [:] }
    guard case .object(let members) = value else {
        throw object.fail(key, "expected an object of names to integers, got \(value.kind)")
    }
    let inner = try JSONObjectReader(value, path: key, source: "options", allowed: Set(members.keys))
    var dims: [String: Int] = [:]
    for name in members.keys.sorted() {
        guard let n = try inner.int(name), n >= 0 else { throw inner.fail(name, "expected a non-negative integer") }
        dims[name] = n
    }
    return dims
}

/// A capacity member: a number of bytes or a text the facade parses.
func capacityValue(_ object: JSONObjectReader, _ key: String) throws(CAPIError) -> Capacity? {
    guard let value = object.value(key) else { return nil }
    switch value {
    case .int(let n):
        guard n >= 1 else { throw object.fail(key, "must be at least 1 byte, got \(n)") }
        guard n < ByteCount.limit else { throw object.fail(key, "beyond the largest size accepted (2^62 bytes)") }
        return .bytes(n)
    case .string(let text):
        do {
            return try Capacity.parse(text, source: "options", location: key)
        } catch {
            throw CAPIError(error)
        }
    default:
        throw object.fail(key, "expected bytes (an integer) or a string such as \"2MiB\" or \"M_H\", got \(value.kind)")
    }
}
