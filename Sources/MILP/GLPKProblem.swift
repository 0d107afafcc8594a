import CGLPK
import CGLPKGuard
import Foundation

/// Owns one `glp_prob` and the thread's GLPK environment while it lives.
///
/// GLPK keeps its environment (memory pools, terminal hooks) in thread-local
/// storage, so a problem must be created, used and deleted on one thread.
/// `GLPKProblem` is therefore never stored or shared: every public entry
/// point creates one, uses it, and lets it go before returning. When the
/// last problem on a thread is released the environment is freed as well,
/// so worker threads that exit leak nothing.
final class GLPKProblem {
    let pointer: OpaquePointer
    private let output: GLPKOutput

    init(echo: Bool = false) {
        GLPKEnvironment.enter()
        output = GLPKOutput(echo: echo)
        glp_term_hook(glpkTerminalHook, Unmanaged.passUnretained(output).toOpaque())
        pointer = glp_create_prob()
    }

    /// Whether a guarded solve (CGLPKGuard) caught a GLPK internal error: GLPK's environment on this thread, and with
    /// it this problem, was freed then, so nothing of GLPK's may be called on `pointer` again.
    private(set) var isFreed = false

    /// Records that GLPK's environment was freed after an internal error (see ``isFreed``).
    func markFreed() { isFreed = true }

    deinit {
        if !isFreed {
            glp_delete_prob(pointer)
            glp_term_hook(nil, nil)
        }
        GLPKEnvironment.leave()
    }

    /// What GLPK printed, for error messages (the last few kilobytes).
    var capturedOutput: String { output.text }

    // MARK: Loading a Model

    /// Loads `model` with the (integer-rounded) bounds of `input`.
    /// O(variables + rows + nonzeros). With `names`, GLPK-safe unique names
    /// are set too (needed only for file export).
    func load(_ model: Model, input: BackendInput, names: Bool) {
        glp_set_prob_name(pointer, GLPKNames.safe(model.name, fallback: "stowage"))
        glp_set_obj_dir(pointer, model.sense == .minimize ? GLP_MIN : GLP_MAX)
        let n = model.variableCount
        let m = model.constraintCount
        if n > 0 { glp_add_cols(pointer, Int32(n)) }
        if m > 0 { glp_add_rows(pointer, Int32(m)) }
        for j in 0 ..< n {
            let column = Int32(j + 1)
            let (type, lb, ub) = Self.boundType(input.lower[j], input.upper[j])
            glp_set_col_bnds(pointer, column, type, lb, ub)
            if model.variables[j].isInteger { glp_set_col_kind(pointer, column, GLP_IV) }
            if input.objective[j] != 0 { glp_set_obj_coef(pointer, column, input.objective[j]) }
        }
        glp_set_obj_coef(pointer, 0, model.objective.constant)
        for r in 0 ..< m {
            let (type, lb, ub) = Self.boundType(model.rowLower[r], model.rowUpper[r])
            glp_set_row_bnds(pointer, Int32(r + 1), type, lb, ub)
        }
        loadMatrix(model)
        if names { setNames(model) }
    }

    private func loadMatrix(_ model: Model) {
        let count = model.nonzeroCount
        guard count > 0 else { return }
        // GLPK arrays are 1-based: element 0 is ignored.
        var rows = [Int32](repeating: 0, count: count + 1)
        var cols = [Int32](repeating: 0, count: count + 1)
        var values = [Double](repeating: 0, count: count + 1)
        for r in 0 ..< model.constraintCount {
            for k in model.rowStarts[r] ..< model.rowStarts[r + 1] {
                rows[k + 1] = Int32(r + 1)
                cols[k + 1] = model.columns[k] + 1
                values[k + 1] = model.coefficients[k]
            }
        }
        glp_load_matrix(pointer, Int32(count), rows, cols, values)
    }

    private func setNames(_ model: Model) {
        var columnNames = GLPKNames()
        for (j, info) in model.variables.enumerated() {
            glp_set_col_name(pointer, Int32(j + 1), columnNames.unique(info.name, fallback: "x\(j + 1)"))
        }
        var rowNames = GLPKNames()
        for r in 0 ..< model.constraintCount {
            glp_set_row_name(pointer, Int32(r + 1), rowNames.unique(model.rowNames[r], fallback: "r\(r + 1)"))
        }
        glp_set_obj_name(pointer, "obj")
    }

    static func boundType(_ lower: Double, _ upper: Double) -> (Int32, Double, Double) {
        switch (lower.isFinite, upper.isFinite) {
        case (false, false): return (GLP_FR, 0, 0)
        case (true, false): return (GLP_LO, lower, 0)
        case (false, true): return (GLP_UP, 0, upper)
        case (true, true): return lower == upper ? (GLP_FX, lower, upper) : (GLP_DB, lower, upper)
        }
    }

    // MARK: Reading back into a Model

    /// The problem as a ``Model``. O(variables + rows + nonzeros).
    func toModel() -> Model {
        var model = Model(name: glp_get_prob_name(pointer).map { String(cString: $0) } ?? "model")
        let n = Int(glp_get_num_cols(pointer))
        let m = Int(glp_get_num_rows(pointer))
        var objective = LinearExpression(constant: glp_get_obj_coef(pointer, 0))
        for j in 0 ..< n {
            let column = Int32(j + 1)
            let (lower, upper) = Self.bounds(type: glp_get_col_type(pointer, column),
                                             lb: glp_get_col_lb(pointer, column),
                                             ub: glp_get_col_ub(pointer, column))
            let kind: VariableKind
            switch glp_get_col_kind(pointer, column) {
            case GLP_BV: kind = .binary
            case GLP_IV: kind = .integer
            default: kind = .continuous
            }
            let name = glp_get_col_name(pointer, column).map { String(cString: $0) }
            let variable = model.addVariable(lower: lower, upper: upper, kind: kind, name: name)
            let cost = glp_get_obj_coef(pointer, column)
            if cost != 0 { objective.terms.append(Term(cost, variable)) }
        }
        var indices = [Int32](repeating: 0, count: n + 1)
        var values = [Double](repeating: 0, count: n + 1)
        for i in 0 ..< m {
            let row = Int32(i + 1)
            let length = Int(glp_get_mat_row(pointer, row, &indices, &values))
            var expression = LinearExpression()
            expression.terms.reserveCapacity(length)
            for k in stride(from: 1, through: length, by: 1) {
                expression.terms.append(Term(values[k], Variable(index: Int(indices[k]) - 1)))
            }
            let (lower, upper) = Self.bounds(type: glp_get_row_type(pointer, row),
                                             lb: glp_get_row_lb(pointer, row),
                                             ub: glp_get_row_ub(pointer, row))
            let name = glp_get_row_name(pointer, row).map { String(cString: $0) }
            model.add(LinearConstraint(expression, lower: lower, upper: upper), name: name)
        }
        model.setObjective(objective, sense: glp_get_obj_dir(pointer) == GLP_MAX ? .maximize : .minimize)
        return model
    }

    private static func bounds(type: Int32, lb: Double, ub: Double) -> (Double, Double) {
        switch type {
        case GLP_FR: return (-.infinity, .infinity)
        case GLP_LO: return (lb, .infinity)
        case GLP_UP: return (-.infinity, ub)
        default: return (lb, ub)
        }
    }
}

/// Per-thread bookkeeping of live GLPK problems, so the thread's GLPK
/// environment is freed when its last problem goes.
enum GLPKEnvironment {
    private static let key = "org.stowage.glpk.depth"

    static func enter() {
        let dictionary = Thread.current.threadDictionary
        dictionary[key] = ((dictionary[key] as? Int) ?? 0) + 1
    }

    static func leave() {
        let dictionary = Thread.current.threadDictionary
        let depth = ((dictionary[key] as? Int) ?? 1) - 1
        dictionary[key] = depth
        if depth == 0 { glp_free_env() }
    }
}

extension GLPKEnvironment {
    /// Whether GLPK's internal errors are caught on this thread instead of aborting the process: CGLPKGuard's
    /// self-test provokes one (a column number out of range) inside the guard. For the tests.
    static func guardCatchesInternalErrors() -> Bool { stowage_glp_guard_selftest() == 1 }
}

/// GLPK's terminal output, kept for error messages and echoed to standard
/// error when the caller asked for a log. Standard output is never used.
final class GLPKOutput {
    let echo: Bool
    private(set) var text = ""

    init(echo: Bool) { self.echo = echo }

    func append(_ line: String) {
        if echo { FileHandle.standardError.write(Data(line.utf8)) }
        text += line
        if text.utf8.count > 8192 { text = String(text.suffix(4096)) }
    }
}

private func glpkTerminalHook(_ info: UnsafeMutableRawPointer?, _ text: UnsafePointer<CChar>?) -> Int32 {
    guard let info, let text else { return 1 }
    Unmanaged<GLPKOutput>.fromOpaque(info).takeUnretainedValue().append(String(cString: text))
    return 1 // suppress GLPK's own printing
}

/// Names GLPK accepts (1–255 printable ASCII characters, no spaces), made
/// unique so that an exported file reads back row for row.
struct GLPKNames {
    private var used: Set<String> = []

    static func safe(_ name: String?, fallback: String) -> String {
        guard let name, !name.isEmpty else { return fallback }
        var cleaned = String(name.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && scalar.value > 32 && scalar.value < 127 ? Character(scalar) : "_"
        })
        if cleaned.utf8.count > 200 { cleaned = String(cleaned.prefix(200)) }
        return cleaned
    }

    mutating func unique(_ name: String?, fallback: String) -> String {
        let base = Self.safe(name, fallback: fallback)
        var candidate = base
        var suffix = 1
        while used.contains(candidate) {
            suffix += 1
            candidate = "\(base)#\(suffix)"
        }
        used.insert(candidate)
        return candidate
    }
}
