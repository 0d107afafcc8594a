import StowageKit

/// The options object of `stowage_remat`, with `stowage remat`'s option
/// names in camelCase:
///
/// ```json
/// {"budget": "0.7", "method": "auto", "timeLimit": 60}
/// ```
///
/// `budget` is required: bytes (a number), a size in the one byte grammar
/// (`"2GiB"`), or a fraction of the keep-everything peak (`"0.7"`, or the
/// number 0.7), or `"min"`. Optional: `method`, `solver`, `timeLimit`,
/// `gap`, `dims`, `unknownSizes`, `spill` (a boolean), `hardware`,
/// `costUnit`, and `report` (true: hand back `{"report": ..., "plan":
/// ...}`, the report of `stowage remat --json` beside the plan, rather
/// than the plan alone). Unknown keys and options the method would ignore
/// are errors, checked by ``RematOptions/check()`` as for the CLI.
struct RematRequest {
    var budget: RematBudget
    var options: RematOptions
    var includeReport = false

    static let keys: Set<String> = ["budget", "method", "solver", "timeLimit", "gap", "dims", "unknownSizes", "spill", "hardware",
                                    "costUnit", "report"]

    init(json text: String) throws(CAPIError) {
        let object = try JSONObjectReader(try JSONValue.parse(text, source: "options"), source: "options", allowed: Self.keys)
        switch object.value("budget") {
        case .int(let n)?:
            guard n >= 1, n < ByteCount.limit else { throw object.fail("budget", "must be between 1 byte and 2^62 bytes, got \(n)") }
            budget = .bytes(n)
        case .double(let f)?:
            guard f > 0, f <= 1 else { throw object.fail("budget", "a fraction of the keep-everything peak must be in (0, 1], got \(f)") }
            budget = .fraction(f)
        case .string(let text)?:
            do { budget = try RematBudget.parse(text) } catch { throw CAPIError(error) }
        case nil:
            throw object.fail("budget", "missing (bytes, a size such as \"2GiB\", or a fraction such as 0.7)")
        case let other?:
            throw object.fail("budget", "expected bytes, a size or a fraction, got \(other.kind)")
        }
        options = RematOptions()
        if let method = try object.choice("method", RematOptions.Method.self) { options.method = method }
        options.solver = try object.choice("solver", PlanningOptions.SolverKind.self)
        options.timeLimit = try object.double("timeLimit")
        options.gap = try object.double("gap")
        includeReport = try object.bool("report") ?? false
        if let unknown = try object.choice("unknownSizes", PlanningOptions.UnknownSizes.self) { options.unknownSizes = unknown }
        if let spill = try object.bool("spill") { options.spill = spill }
        options.hardware = try object.string("hardware")
        if let unit = try object.choice("costUnit", RematOptions.CostUnit.self) { options.costUnit = unit }
        if let value = object.value("dims") {
            guard case .object(let members) = value else { throw object.fail("dims", "expected an object of names to integers, got \(value.kind)") }
            let inner = try JSONObjectReader(value, path: "dims", source: "options", allowed: Set(members.keys))
            for name in members.keys.sorted() {
                guard let n = try inner.int(name), n >= 0 else { throw inner.fail(name, "expected a non-negative integer") }
                options.dims[name] = n
            }
        }
        do {
            try options.check()
        } catch {
            throw CAPIError(error)
        }
    }
}
