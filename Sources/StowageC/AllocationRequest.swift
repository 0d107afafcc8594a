import StowageKit

/// The two JSON arguments of `stowage_allocate`.
///
/// Buffers: an array, or an object with a `buffers` array, of
/// `{"id": "a", "lower": 0, "upper": 3, "size": 1024, "alignment": 64,
/// "offset": 0}` (`alignment` and the fixed `offset` optional; lifetimes
/// half-open, `[lower, upper)`; `id` a string or an integer).
///
/// Options: `{"capacity": 65536, "method": "auto", "solver": "cbc",
/// "timeLimit": 10, "minimizeBelowCapacity": false}`, every key optional;
/// without a capacity the height is minimised.
struct AllocationRequest {
    var buffers: [Buffer]
    var capacity: Int?
    var options: AllocationOptions

    static let bufferKeys: Set<String> = ["id", "lower", "upper", "size", "alignment", "offset"]
    static let optionKeys: Set<String> = ["capacity", "method", "solver", "timeLimit", "minimizeBelowCapacity"]

    init(buffers text: String, options optionsText: String?) throws(CAPIError) {
        let document = try JSONValue.parse(text, source: "buffers")
        let list: [JSONValue]
        switch document {
        case .array(let items):
            list = items
        case .object:
            let top = try JSONObjectReader(document, source: "buffers", allowed: ["buffers"])
            guard case .array(let items)? = top.value("buffers") else {
                throw top.fail("buffers", "expected an array of buffers")
            }
            list = items
        default:
            throw CAPIError(code: .badInput, message: "buffers: expected an array of buffers, got \(document.kind)")
        }
        var buffers: [Buffer] = []
        buffers.reserveCapacity(list.count)
        for (i, item) in list.enumerated() {
            let b = try JSONObjectReader(item, path: "[\(i)]", source: "buffers", allowed: Self.bufferKeys)
            let id: String
            switch b.value("id") {
            case .string(let s)?: id = s
            case .int(let n)?: id = String(n)
            case nil: throw b.fail("id", "missing (a string or an integer is required)")
            case let other?: throw b.fail("id", "expected a string or an integer, got \(other.kind)")
            }
            buffers.append(Buffer(id: id, lower: try b.requiredInt("lower"), upper: try b.requiredInt("upper"),
                                  size: try b.requiredInt("size"), alignment: try b.int("alignment") ?? 1,
                                  fixedOffset: try b.int("offset")))
        }
        self.buffers = buffers

        options = AllocationOptions()
        capacity = nil
        guard let optionsText else { return }
        let object = try JSONObjectReader(try JSONValue.parse(optionsText, source: "options"), source: "options", allowed: Self.optionKeys)
        switch try capacityValue(object, "capacity") {
        case .bytes(let n)?: capacity = n
        case nil: capacity = nil
        case let named?: throw object.fail("capacity", "\(named) is a scratchpad budget; an allocation capacity is bytes")
        }
        if let method = try object.choice("method", AllocationMethod.self) { options.method = method }
        if let solver = try object.choice("solver", PlanningOptions.SolverKind.self) { options.solver = solver }
        if let limit = try object.double("timeLimit") { options.timeLimit = limit }
        if let minimize = try object.bool("minimizeBelowCapacity") { options.minimizeBelowCapacity = minimize }
    }
}
