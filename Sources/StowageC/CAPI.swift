import Foundation
import StowageKit

// The C API (include/stowage.h). Every function takes C strings of JSON and
// hands back JSON or one line of error text, in memory the caller releases
// with `stowage_free`; no Swift type crosses the boundary, and no Swift
// error escapes: every failure becomes a status code and a message.

/// `const char *stowage_version(void)`: static, never freed.
@_cdecl("stowage_version")
public func stowage_version() -> UnsafePointer<CChar> {
    CAPIVersion.text
}

/// `int stowage_plan(const char *graph_json, const char *options_json,
/// char **plan_json, char **error)`.
@_cdecl("stowage_plan")
public func stowage_plan(_ graphJSON: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
                         _ planJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                         _ error: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    respond(planJSON, error, outName: "plan_json") {
        let graphText = try text(graphJSON, name: "graph_json")
        let request = try PlanRequest(json: try text(optionsJSON, name: "options_json"))
        let graph = try Planner.graph(fromJSON: Data(graphText.utf8), source: "graph_json", symbols: request.options.dims)
        return try Planner(options: request.options).plan(graph, capacity: request.capacity).json()
    }
}

/// `int stowage_plan_file(const char *model_path, const char *options_json,
/// char **plan_json, char **error)`.
@_cdecl("stowage_plan_file")
public func stowage_plan_file(_ modelPath: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
                              _ planJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                              _ error: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    respond(planJSON, error, outName: "plan_json") {
        let path = try text(modelPath, name: "model_path")
        let request = try PlanRequest(json: try text(optionsJSON, name: "options_json"))
        return try Planner(options: request.options).plan(modelAt: path, capacity: request.capacity).json()
    }
}

/// `int stowage_remat(const char *graph_json, const char *options_json,
/// char **plan_json, char **error)`.
@_cdecl("stowage_remat")
public func stowage_remat(_ graphJSON: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
                          _ planJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                          _ error: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    respond(planJSON, error, outName: "plan_json") {
        let graphText = try text(graphJSON, name: "graph_json")
        let request = try RematRequest(json: try text(optionsJSON, name: "options_json"))
        let graph = try Planner.graph(fromJSON: Data(graphText.utf8), source: "graph_json", symbols: request.options.dims)
        let result = try Planner().remat(graph, budget: request.budget, options: request.options)
        guard request.includeReport else { return result.json() }
        // Both parts are single JSON objects, so the pair is one too.
        return Data(#"{"report":"#.utf8) + Data(result.report.json.utf8) + Data(#","plan":"#.utf8) + result.json() + Data("}".utf8)
    }
}

/// `int stowage_allocate(const char *buffers_json, const char *options_json,
/// char **result_json, char **error)`; `options_json` may be NULL.
@_cdecl("stowage_allocate")
public func stowage_allocate(_ buffersJSON: UnsafePointer<CChar>?, _ optionsJSON: UnsafePointer<CChar>?,
                             _ resultJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                             _ error: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    respond(resultJSON, error, outName: "result_json") {
        let request = try AllocationRequest(buffers: try text(buffersJSON, name: "buffers_json"),
                                            options: optionsJSON.map { String(cString: $0) })
        let result = try Planner().allocate(request.buffers, capacity: request.capacity, options: request.options)
        return AllocationJSON(result).data
    }
}

/// `void stowage_free(void *p)`: releases what the functions above handed
/// back; NULL is fine.
@_cdecl("stowage_free")
public func stowage_free(_ pointer: UnsafeMutableRawPointer?) {
    free(pointer)
}

/// The text of a C string argument; NULL is a bad-input error naming it.
/// Invalid UTF-8 is repaired (and then fails as JSON where it matters).
func text(_ pointer: UnsafePointer<CChar>?, name: String) throws(CAPIError) -> String {
    guard let pointer else { throw CAPIError(code: .badInput, message: "\(name) is NULL") }
    return String(cString: pointer)
}

/// Runs `body`, and writes its bytes to `*out` (on success) or a message to
/// `*error` (on failure), each as a malloc'd NUL-terminated string; the
/// other is set to NULL. Returns the status code.
func respond(_ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                     _ error: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                     outName: String, _ body: () throws -> Data) -> Int32 {
    out?.pointee = nil
    error?.pointee = nil
    let failure: CAPIError
    if let out {
        do {
            out.pointee = cString(try body())
            return CAPIError.Code.ok.rawValue
        } catch let e as CAPIError {
            failure = e
        } catch let e as StowageError {
            failure = CAPIError(e)
        } catch {
            failure = CAPIError(code: .internalError, message: "internal error: \(error)")
        }
    } else {
        failure = CAPIError(code: .badInput, message: "\(outName) is NULL: nowhere to put the answer")
    }
    error?.pointee = cString(Data(failure.message.utf8))
    return failure.code.rawValue
}

/// A malloc'd copy of `bytes` with a terminating NUL (`nil` only if malloc fails).
private func cString(_ bytes: Data) -> UnsafeMutablePointer<CChar>? {
    guard let buffer = malloc(bytes.count + 1)?.assumingMemoryBound(to: CChar.self) else { return nil }
    bytes.withUnsafeBytes { raw in
        if let base = raw.baseAddress { memcpy(buffer, base, bytes.count) }
    }
    buffer[bytes.count] = 0
    return buffer
}

/// The version string, made once and never freed.
enum CAPIVersion {
    nonisolated(unsafe) static let text: UnsafePointer<CChar> = UnsafePointer(strdup(Planner.version)!)
}
