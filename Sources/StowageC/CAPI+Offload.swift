import Foundation
import StowageKit

/// `int stowage_offload(const char *config_json, const char *options_json,
/// char **result_json, char **error)`; `options_json` may be NULL. The
/// result is the report of `stowage offload --json`; with `"plans": true`,
/// `{"report": ..., "prefillPlan": ..., "decodePlan": ...}` (the block
/// plans, verified, when a simulation ran; null otherwise).
@_cdecl("stowage_offload")
public func stowage_offload(_ configJSON: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
                            _ resultJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                            _ error: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    respond(resultJSON, error, outName: "result_json") {
        let configText = try text(configJSON, name: "config_json")
        let request = try OffloadRequest(json: optionsJSON.map { String(cString: $0) })
        let result = try Planner().offload(configJSON: Data(configText.utf8), name: request.name, source: "config_json",
                                           options: request.options)
        guard request.includePlans else { return result.json() }
        func plan(_ plan: Plan?) -> Data { plan.map { PlanCodec.encode($0) } ?? Data("null".utf8) }
        // Each part is one JSON value, so the whole is one object.
        return Data(#"{"decodePlan":"#.utf8) + plan(result.decodePlan) + Data(#","prefillPlan":"#.utf8) + plan(result.prefillPlan)
            + Data(#","report":"#.utf8) + result.json() + Data("}".utf8)
    }
}
