import CGLPK
import Foundation
import OutputFiles

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
    /// variables and rows are called `x1…`, `r1…`. Bounds at or beyond
    /// ±1e30 are written as infinite. `path` is checked first and replaced
    /// atomically (``OutputFile``): it holds its old content or the whole new
    /// file, and a directory or device there is refused and left alone.
    public func write(to path: String, format: ModelFileFormat) throws(ModelFileError) {
        if let problem = dataError() { throw ModelFileError(path: path, reason: problem) }
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
        try OutputFile.checked(path)
        let input = BackendInput(exported)
        let glpk = GLPKProblem()
        glpk.load(exported, input: input, names: true)
        // GLPK writes to a path of its own: a private folder, so that no file
        // of the user's (say `model.mps.partial`) is ever touched; the result
        // reaches `path` through one atomic replace.
        let folder = NSTemporaryDirectory() + "stowage-write-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        guard (try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)) != nil else {
            throw ModelFileError(path: path, reason: "cannot create a temporary folder in \(NSTemporaryDirectory())")
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let temporary = folder + "/model"
        let code: Int32
        switch format {
        case .mps: code = glp_write_mps(glpk.pointer, GLP_MPS_FILE, nil, temporary)
        case .lp: code = glp_write_lp(glpk.pointer, nil, temporary)
        }
        guard code == 0, var text = try? String(contentsOfFile: temporary, encoding: .utf8) else {
            throw ModelFileError(path: path, reason: "cannot write: \(glpk.capturedOutput.lastLine)")
        }
        if format == .mps, sense == .maximize { text = MPSObjectiveSense.declaringMaximize(text) }
        do {
            try OutputFile.write(text, to: path)
        } catch {
            throw ModelFileError(path: path, reason: error.reason)
        }
    }
}

extension OutputFile {
    /// ``check(_:)`` with the model file's error type.
    static func checked(_ path: String) throws(ModelFileError) {
        do {
            try check(path)
        } catch {
            throw ModelFileError(path: path, reason: error.reason)
        }
    }
}
