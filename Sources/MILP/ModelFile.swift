import CGLPK
import Foundation

/// Reading and writing models in the two file formats every MILP solver
/// understands, through GLPK's own readers and writers.
public enum ModelFileFormat: String, Sendable, CaseIterable {
    /// Free-format MPS (fixed-format MPS is accepted on reading too).
    case mps
    /// CPLEX LP.
    case lp

    /// The format a file name's extension implies (`.mps`, `.lp`, case-insensitive).
    public init?(path: String) {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "mps": self = .mps
        case "lp": self = .lp
        default: return nil
        }
    }
}

public struct ModelFileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}

extension Model {
    /// Reads an MPS or CPLEX LP file. MPS files are tried in free format
    /// first, then in fixed format. Errors name the file and, where GLPK
    /// says, the line.
    public init(contentsOf path: String, format: ModelFileFormat? = nil) throws(ModelFileError) {
        guard let format = format ?? ModelFileFormat(path: path) else {
            throw ModelFileError(path: path, reason: "unknown model format (expected a .mps or .lp file)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelFileError(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw ModelFileError(path: path, reason: "is a directory") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ModelFileError(path: path, reason: "file is not readable")
        }
        switch format {
        case .mps:
            self = try Self.readMPS(path)
        case .lp:
            let result = Self.read(path, { glp_read_lp($0, nil, path) })
            guard let model = result.model else { throw ModelFileError(path: path, reason: result.error) }
            self = model
        }
    }

    /// Free MPS first, then fixed MPS; an `OBJSENSE` section (which GLPK
    /// does not read) is honoured by reading a copy with it commented out.
    private static func readMPS(_ path: String) throws(ModelFileError) -> Model {
        var source = path
        var sense: ObjectiveSense?
        var copy: String?
        defer { if let copy { try? FileManager.default.removeItem(atPath: copy) } }
        if let text = try? String(contentsOfFile: path, encoding: .utf8), let found = MPSObjectiveSense.extract(from: text) {
            let temporary = NSTemporaryDirectory() + "stowage-\(getpid())-\(UUID().uuidString).mps"
            guard (try? found.text.write(toFile: temporary, atomically: false, encoding: .utf8)) != nil else {
                throw ModelFileError(path: path, reason: "cannot make a temporary copy to read OBJSENSE")
            }
            copy = temporary
            source = temporary
            sense = found.sense
        }
        let free = read(source, { glp_read_mps($0, GLP_MPS_FILE, nil, source) })
        var model = free.model
        if model == nil { model = read(source, { glp_read_mps($0, GLP_MPS_DECK, nil, source) }).model }
        guard var model else {
            throw ModelFileError(path: path, reason: free.error.replacingOccurrences(of: source, with: path))
        }
        if let sense { model.setObjective(model.objective, sense: sense) }
        if copy != nil, model.name.hasPrefix("stowage-") {
            model.name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        }
        return model
    }

    private static func read(_ path: String, _ reader: (OpaquePointer) -> Int32) -> (model: Model?, error: String) {
        let problem = GLPKProblem()
        guard reader(problem.pointer) == 0 else {
            return (nil, Self.readerError(problem.capturedOutput, path: path))
        }
        var model = problem.toModel()
        if model.name == "model" || model.name.isEmpty {
            model.name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        }
        return (model, "")
    }

    /// GLPK prints "path:LINE: reason" lines; keep the one that says what went wrong.
    private static func readerError(_ output: String, path: String) -> String {
        let lines = output.split(whereSeparator: \.isNewline).map(String.init)
        let prefix = path + ":"
        if let located = lines.last(where: { $0.hasPrefix(prefix) }) {
            return "line " + located.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        }
        return lines.last(where: { !$0.hasPrefix("Reading") }) ?? "unreadable model file"
    }

    /// Writes the model as free MPS or CPLEX LP. Names are made safe for the
    /// format and unique (so the file reads back row for row); unnamed
    /// variables and rows are called `x1…`, `r1…`. The file is written
    /// beside `path` and renamed over it, so `path` holds either its old
    /// content or the whole new file; a `path` that exists but is not a
    /// regular file (a directory, a device) is refused and left alone, and
    /// nothing is left behind if writing fails.
    public func write(to path: String, format: ModelFileFormat) throws(ModelFileError) {
        if let problem = dataError() { throw ModelFileError(path: path, reason: problem) }
        if let problem = Self.unwritableReason(path) { throw ModelFileError(path: path, reason: problem) }
        // CPLEX LP has no objective constant (GLPK writes it as a comment), so
        // it becomes a variable fixed at 1 carrying the constant as its cost.
        var exported = normalizingInfiniteBounds()
        if format == .lp, objective.constant != 0 {
            let one = exported.addVariable(lower: 1, upper: 1, name: "objective_constant")
            var shifted = objective
            shifted.constant = 0
            shifted += objective.constant * one
            exported.setObjective(shifted, sense: sense)
        }
        let input = BackendInput(exported)
        let glpk = GLPKProblem()
        glpk.load(exported, input: input, names: true)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let temporary = folder + "/.\(URL(fileURLWithPath: path).lastPathComponent).\(getpid()).\(UUID().uuidString).partial"
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let code: Int32
        switch format {
        case .mps: code = glp_write_mps(glpk.pointer, GLP_MPS_FILE, nil, temporary)
        case .lp: code = glp_write_lp(glpk.pointer, nil, temporary)
        }
        guard code == 0 else {
            throw ModelFileError(path: path, reason: "cannot write: \(glpk.capturedOutput.lastLine)")
        }
        if format == .mps, sense == .maximize {
            do {
                let text = try String(contentsOfFile: temporary, encoding: .utf8)
                try MPSObjectiveSense.declaringMaximize(text).write(toFile: temporary, atomically: false, encoding: .utf8)
            } catch {
                throw ModelFileError(path: path, reason: "cannot write: \(error.localizedDescription)")
            }
        }
        // Checked again just before the rename, which would replace a device
        // node or an empty directory that appeared meanwhile.
        if let problem = Self.unwritableReason(path) { throw ModelFileError(path: path, reason: problem) }
        guard rename(temporary, path) == 0 else {
            throw ModelFileError(path: path, reason: "cannot write: \(String(cString: strerror(errno)))")
        }
    }

    /// Why `path` cannot be replaced by a model file, if it cannot: it
    /// exists and is not a regular file, or its folder is missing.
    private static func unwritableReason(_ path: String) -> String? {
        var info = stat()
        if lstat(path, &info) == 0 {
            let type = info.st_mode & S_IFMT
            if type == S_IFDIR { return "is a directory" }
            if type != S_IFREG && type != S_IFLNK { return "exists and is not a regular file" }
            if type == S_IFLNK, stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
                return "is a link to something other than a regular file"
            }
            return nil
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            return "no such folder \(folder)"
        }
        return nil
    }
}
