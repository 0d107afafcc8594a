import Foundation
import StowageKit

/// `int stowage_schedule(const char *graph_json, const char *options_json,
/// char **result_json, char **error)`; `options_json` may be NULL. The
/// result is the report of `stowage schedule --json` with the verified
/// plan under `"plan"`.
@_cdecl("stowage_schedule")
public func stowage_schedule(_ graphJSON: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
                             _ resultJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                             _ error: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    respond(resultJSON, error, outName: "result_json") {
        let graphText = try text(graphJSON, name: "graph_json")
        let request = try ScheduleRequest(json: optionsJSON.map { String(cString: $0) })
        let graph = try Planner.graph(fromJSON: Data(graphText.utf8), source: "graph_json", symbols: request.symbols)
        return try Planner().schedule(graph, options: request.options).json(includingPlan: true)
    }
}
