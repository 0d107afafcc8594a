import ArgumentParser
import Foundation
import StowageKit

/// The `stowage` command: plans where a neural network's tensors live.
struct Stowage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stowage",
        abstract: "Plan where a neural network's tensors live, with integer and linear programs.",
        discussion: """
            Exit codes: 0 success; 1 no usable answer (infeasible, unbounded, \
            no solution within the limit, solver failure); 2 bad input.
            """,
        version: StowageVersion.current,
        subcommands: [SolveCommand.self, ConvertCommand.self, InspectCommand.self, AllocCommand.self, PlanCommand.self, ScheduleCommand.self, RenderCommand.self, OffloadCommand.self, VerifyCommand.self, BenchCommand.self]
    )
}

/// The version `stowage --version` prints and bench rows record: the
/// library's (StowageKit, and through it the C API's `stowage_version`),
/// so that the three never disagree.
enum StowageVersion {
    static let current = Planner.version
}

/// Parses and runs a command, mapping every error to Stowage's exit codes:
/// usage errors and bad files are 2 (ArgumentParser would say 64).
@main
enum Main {
    static func main() {
        let status = run(arguments: Array(CommandLine.arguments.dropFirst()))
        exit(status)
    }

    static func run(arguments: [String]) -> Int32 {
        do {
            var command = try Stowage.parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("stowage: \(failure.message)\n".utf8))
            return failure.exitCode
        } catch {
            let code = Stowage.exitCode(for: error)
            let message = Stowage.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                return 0
            }
            FileHandle.standardError.write(Data((message.isEmpty ? "stowage: error" : message).utf8 + [10]))
            return code == .validationFailure ? CommandFailure.badInput : code.rawValue
        }
    }
}

/// An error a command reports with a one-line message and an exit code.
struct CommandFailure: Error {
    static let noAnswer: Int32 = 1
    static let badInput: Int32 = 2
    /// A bug in Stowage (a plan that failed its own verification).
    static let internalError: Int32 = 3

    let exitCode: Int32
    let message: String

    static func badInput(_ message: String) -> CommandFailure {
        CommandFailure(exitCode: badInput, message: message)
    }

    static func noAnswer(_ message: String) -> CommandFailure {
        CommandFailure(exitCode: noAnswer, message: message)
    }
}

extension CommandFailure {
    /// The facade's error with its exit code: bad input 2, an internal
    /// error 3, no answer 1.
    init(_ error: StowageError) {
        switch error {
        case .badInput("options", let key?, let reason):
            // Options are named as the command line spells them.
            self.init(exitCode: Self.badInput, message: "\(PlanningOptions.flag(for: key)): \(reason)")
        case .badInput: self.init(exitCode: Self.badInput, message: error.description)
        case .verificationFailed: self.init(exitCode: Self.internalError, message: error.description)
        case .infeasible, .solverFailure: self.init(exitCode: Self.noAnswer, message: error.description)
        }
    }
}
