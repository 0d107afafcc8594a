import ArgumentParser
import MILP
import OutputFiles

/// `stowage convert`: rewrite a model file in another format.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a model between free MPS and CPLEX LP (format from the file extensions)."
    )

    @Argument(help: "The input model (.mps or .lp).")
    var input: String

    @Argument(help: "The output file (.mps or .lp).")
    var output: String

    func run() throws {
        guard let format = ModelFileFormat(path: output) else {
            throw CommandFailure.badInput("\(output): unknown output format (expected .mps or .lp)")
        }
        do { try OutputFile.check(output) } catch { throw CommandFailure.badInput(error.description) }
        do {
            let model = try Model(contentsOf: input)
            try model.write(to: output, format: format)
        } catch {
            throw CommandFailure.badInput(error.description)
        }
    }
}
