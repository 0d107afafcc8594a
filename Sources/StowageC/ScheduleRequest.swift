import StowageKit

/// The options object of `stowage_schedule` (NULL for the defaults):
///
/// ```json
/// {"method": "auto", "solver": "cbc", "timeLimit": 10, "dtypeBytes": 1,
///  "maxStates": 4000000, "dims": {"batch": 1}}
/// ```
///
/// Every key is optional (`symbols` is accepted as the older name of
/// `dims`, as for `stowage_plan`); unknown keys are errors.
struct ScheduleRequest {
    var options = ScheduleOptions()
    var symbols: [String: Int] = [:]

    static let keys: Set<String> = ["method", "solver", "timeLimit", "dtypeBytes", "maxStates", "dims", "symbols"]

    init(json text: String?) throws(CAPIError) {
        guard let text else { return }
        let object = try JSONObjectReader(try JSONValue.parse(text, source: "options"), source: "options", allowed: Self.keys)
        if let method = try object.choice("method", ScheduleOptions.Method.self) { options.method = method }
        if let solver = try object.choice("solver", PlanningOptions.SolverKind.self) { options.solver = solver }
        options.timeLimit = try object.double("timeLimit")
        options.dtypeBytes = try object.int("dtypeBytes")
        if let states = try object.int("maxStates") { options.maxStates = states }
        symbols = try dimsValue(object)
    }
}
