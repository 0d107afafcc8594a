import StowageKit

/// The options object of `stowage_offload` (NULL for the defaults), with
/// `stowage offload`'s option names in camelCase (`--gpu-mem 16GiB --gbs
/// 48 --nb 3 --mode exact` is):
///
/// ```json
/// {"hardware": "t4", "gpuMem": "16GiB", "gbs": 48, "nb": 3, "mode": "exact"}
/// ```
///
/// Every key is optional: `hardware` (a profile file or a built-in name),
/// `prompt`, `gen`, `gpuMem`, `cpuMem`, `disk` (bytes, or a size in the one
/// byte grammar), `gbs`, `nb`, `percent` (six numbers), `alpha`,
/// `compressWeights`, `compressCache`, `mode` (`"flexgen"` or `"exact"`),
/// `simulate`, `timeLimit`; and two of the C API's own: `name` (what to
/// call the model in messages) and `plans` (true: hand back the verified
/// block plans beside the report). Unknown keys are errors; ranges are
/// checked by ``OffloadOptions/check()``, as for the CLI.
struct OffloadRequest {
    var options = OffloadOptions()
    var name = "config"
    var includePlans = false

    static let keys: Set<String> = ["hardware", "prompt", "gen", "gpuMem", "cpuMem", "disk", "gbs", "nb", "percent", "alpha",
                                    "compressWeights", "compressCache", "mode", "simulate", "timeLimit", "name", "plans"]

    init(json text: String?) throws(CAPIError) {
        guard let text else { return }
        let object = try JSONObjectReader(try JSONValue.parse(text, source: "options"), source: "options", allowed: Self.keys)
        if let hardware = try object.string("hardware") { options.hardware = hardware }
        if let prompt = try object.int("prompt") { options.prompt = prompt }
        if let gen = try object.int("gen") { options.gen = gen }
        options.gpuMem = try Self.size(object, "gpuMem")
        options.cpuMem = try Self.size(object, "cpuMem")
        options.disk = try Self.size(object, "disk")
        options.gbs = try object.int("gbs")
        options.nb = try object.int("nb")
        if let value = object.value("percent") {
            guard case .array(let items) = value else { throw object.fail("percent", "expected an array of six numbers, got \(value.kind)") }
            options.percent = try items.enumerated().map { (i, item) throws(CAPIError) -> Double in
                switch item {
                case .int(let n): return Double(n)
                case .double(let d): return d
                default: throw object.fail("percent", "[\(i)]: expected a number, got \(item.kind)")
                }
            }
        }
        options.alpha = try object.double("alpha")
        if let compress = try object.bool("compressWeights") { options.compressWeights = compress }
        if let compress = try object.bool("compressCache") { options.compressCache = compress }
        if let mode = try object.choice("mode", OffloadOptions.Mode.self) { options.mode = mode }
        if let simulate = try object.bool("simulate") { options.simulate = simulate }
        options.timeLimit = try object.double("timeLimit")
        if let name = try object.string("name") { self.name = name }
        includePlans = try object.bool("plans") ?? false
        do {
            try options.check()
        } catch {
            throw CAPIError(error)
        }
    }

    /// A tier size: bytes (a whole number, `16e9` too; its range is checked
    /// with the others) or a size in the one byte grammar.
    static func size(_ object: JSONObjectReader, _ key: String) throws(CAPIError) -> Int? {
        switch object.value(key) {
        case nil: return nil
        case .int?, .double?: return try object.int(key)  // a whole number of bytes, however written
        case .string(let text)?:
            do { return try OffloadOptions.size(text, key: key) } catch { throw CAPIError(error) }
        case let other?:
            throw object.fail(key, "expected bytes (an integer) or a size such as \"16GiB\", got \(other.kind)")
        }
    }
}
