import Foundation

/// Reads a model file whole, with an `ImportError` that says plainly why
/// not (missing, a directory, unreadable).
enum FileData {
    static func read(_ path: String) throws(ImportError) -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImportError.unreadable(file: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw ImportError.unreadable(file: path, reason: "is a directory, not a model file")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ImportError.unreadable(file: path, reason: "cannot read the file (\(error.localizedDescription))")
        }
    }
}
