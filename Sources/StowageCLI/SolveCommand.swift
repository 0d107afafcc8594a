import ArgumentParser
import Foundation
import MILP

/// `stowage solve`: solve an MPS or LP file with GLPK or CBC.
struct SolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Solve a MILP given as an MPS or CPLEX LP file.",
        discussion: """
            Prints status, objective, best bound, gap and time. On a time \
            limit the best solution found is reported with its gap. Progress \
            (incumbent, bound, gap) goes to standard error on solves longer \
            than a second. Every answer is checked against the model before \
            it is printed; a solver whose answer fails the check is named in \
            the note (status error, exit 1).

            Accepted numbers: bounds at or beyond ±1e30 mean infinite; finite \
            bounds up to ±1e15; nonzero coefficients between 1e-12 and 1e15 in \
            magnitude. A file with other numbers is bad input (exit 2, naming \
            the row and column). --json prints one object described by \
            Schemas/solve-output.schema.json.
            """
    )

    @Argument(help: "The model file (.mps free or fixed format, or .lp in CPLEX LP format).")
    var file: String

    @Option(help: "The backend: glpk or cbc.")
    var solver: SolverChoice = .cbc

    @Option(name: .customLong("time-limit"),
            help: "Wall-clock seconds for the whole command (reading the file included); the best solution found by then is reported.")
    var timeLimit: Double?

    @Option(help: "Stop once the relative gap is at most G (0.01 = 1%).")
    var gap: Double?

    @Flag(help: "Print one JSON object: version, status, objective, bound, gap, seconds, solver, sizes, message.")
    var json = false

    @Flag(help: "Show the solver's own log on standard error.")
    var log = false

    @Flag(help: "No progress lines on standard error.")
    var quiet = false

    func validate() throws {
        if let timeLimit, !(timeLimit > 0 && timeLimit.isFinite) {
            throw ValidationError("--time-limit must be a positive, finite number of seconds")
        }
        if let gap, !(gap >= 0 && gap.isFinite) { throw ValidationError("--gap must be a non-negative, finite fraction") }
    }

    func run() throws {
        let deadline = Deadline(seconds: ProcessAge.remaining(of: timeLimit))
        let model: Model
        do {
            model = try Model(contentsOf: file)
            try model.validate()
        } catch let error as ModelFileError {
            throw CommandFailure.badInput(error.description)
        } catch {
            throw CommandFailure.badInput("\(file): \(error)")
        }
        var options = SolveOptions(relativeGap: gap, logLevel: log ? .normal : .quiet)
        options.deadline = deadline
        if !quiet { options.progress = ProgressPrinter().callback }
        let result = solver.solver.solve(model, options: options)
        let report = SolveReport(model: model, result: result)
        if json {
            guard let text = report.json else {
                throw CommandFailure.noAnswer("\(file): the report could not be written as JSON")
            }
            print(text)
        } else {
            print(report.text)
        }
        if !result.status.hasSolution {
            throw CommandFailure(exitCode: CommandFailure.noAnswer, message: report.failureLine)
        }
    }
}

/// What `stowage solve` prints; `--json` is Schemas/solve-output.schema.json.
struct SolveReport: Encodable {
    /// The version of the JSON object's layout.
    static let version = 1

    let name: String
    let status: String
    let objective: Double?
    let bound: Double?
    let gap: Double?
    let seconds: Double
    let solver: String
    let variables: Int
    let integerVariables: Int
    let constraints: Int
    let nonzeros: Int
    let message: String?

    init(model: Model, result: SolveResult) {
        // JSON has no infinities or NaN: such values are absent (null), and
        // a solution without a finite objective is not one.
        func finite(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }
        name = model.name
        status = result.status.rawValue
        objective = finite(result.objective)
        bound = finite(result.bound)
        gap = finite(result.gap)
        seconds = finite(result.seconds) ?? 0
        solver = result.solver
        variables = model.variableCount
        integerVariables = model.variables.count { $0.isInteger }
        constraints = model.constraintCount
        nonzeros = model.nonzeroCount
        message = result.message
    }

    enum CodingKeys: String, CodingKey {
        case version, name, status, objective, bound, gap, seconds, solver, variables, integerVariables, constraints, nonzeros, message
    }

    /// Absent values are written as `null`, so every key is always present.
    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.version, forKey: .version)
        try container.encode(name, forKey: .name)
        try container.encode(status, forKey: .status)
        try container.encode(objective, forKey: .objective)
        try container.encode(bound, forKey: .bound)
        try container.encode(gap, forKey: .gap)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(solver, forKey: .solver)
        try container.encode(variables, forKey: .variables)
        try container.encode(integerVariables, forKey: .integerVariables)
        try container.encode(constraints, forKey: .constraints)
        try container.encode(nonzeros, forKey: .nonzeros)
        try container.encode(message, forKey: .message)
    }

    /// One line of JSON with every key; `nil` only if encoding fails, which
    /// finite numbers and strings cannot make it do.
    var json: String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    var text: String {
        func number(_ value: Double?) -> String { value.map { String(format: "%.10g", $0) } ?? "-" }
        var lines = [
            "model      \(name): \(variables) variables (\(integerVariables) integer), \(constraints) constraints, \(nonzeros) nonzeros",
            "solver     \(solver)",
            "status     \(status)",
            "objective  \(number(objective))",
            "bound      \(number(bound))",
            "gap        \(gap.map { String(format: "%.4g%%", $0 * 100) } ?? "-")",
            "time       \(String(format: "%.3f", seconds)) s",
        ]
        if let message { lines.append("note       \(message)") }
        return lines.joined(separator: "\n")
    }

    /// The one line on standard error when there is no usable answer.
    var failureLine: String {
        let note = message.map { " (\($0.split(whereSeparator: \.isNewline).joined(separator: " ")))" } ?? ""
        return "\(name): \(status)" + note
    }
}
