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
            than a second.
            """
    )

    @Argument(help: "The model file (.mps free or fixed format, or .lp in CPLEX LP format).")
    var file: String

    @Option(help: "The backend: glpk or cbc.")
    var solver: SolverChoice = .cbc

    @Option(name: .customLong("time-limit"), help: "Stop after this many seconds and report the best solution found.")
    var timeLimit: Double?

    @Option(help: "Stop once the relative gap is at most G (0.01 = 1%).")
    var gap: Double?

    @Flag(help: "Print one JSON object: status, objective, bound, gap, seconds, solver.")
    var json = false

    @Flag(help: "Show the solver's own log on standard error.")
    var log = false

    @Flag(help: "No progress lines on standard error.")
    var quiet = false

    func validate() throws {
        if let timeLimit, !(timeLimit > 0) { throw ValidationError("--time-limit must be a positive number of seconds") }
        if let gap, !(gap >= 0) { throw ValidationError("--gap must be a non-negative fraction") }
    }

    func run() throws {
        let model: Model
        do {
            model = try Model(contentsOf: file)
        } catch {
            throw CommandFailure.badInput(error.description)
        }
        var options = SolveOptions(timeLimit: timeLimit, relativeGap: gap, logLevel: log ? .normal : .quiet)
        if !quiet { options.progress = ProgressPrinter().callback }
        let result = solver.solver.solve(model, options: options)
        let report = SolveReport(model: model, result: result)
        print(json ? report.json : report.text)
        if !result.status.hasSolution {
            throw CommandFailure(exitCode: CommandFailure.noAnswer, message: report.failureLine)
        }
    }
}

/// What `stowage solve` prints.
struct SolveReport: Encodable {
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
        name = model.name
        status = result.status.rawValue
        objective = result.objective
        bound = result.bound
        gap = result.gap
        seconds = result.seconds
        solver = result.solver
        variables = model.variableCount
        integerVariables = model.variables.count { $0.isInteger }
        constraints = model.constraintCount
        nonzeros = model.nonzeroCount
        message = result.message
    }

    enum CodingKeys: String, CodingKey {
        case name, status, objective, bound, gap, seconds, solver, variables, integerVariables, constraints, nonzeros, message
    }

    /// Absent values are written as `null`, so every key is always present.
    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
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

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self) else { return "{}" }
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

    var failureLine: String {
        "\(name): \(status)" + (message.map { " (\($0))" } ?? "")
    }
}
