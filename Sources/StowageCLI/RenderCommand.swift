import ArgumentParser
import Foundation
import OutputFiles
import Plan
import Render

/// `stowage render`: a plan as a picture a person can read at a glance.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Draw a plan as SVG or HTML: time across, addresses up, one rectangle per residency interval.",
        discussion: """
            Reads a plan (.json, as written by `stowage plan`) and draws its \
            compute tier: each tensor's stay at an address as a rectangle \
            coloured by kind (input, weight, activation), loads and spills \
            marked where they happen, the capacity as a dashed line, and the \
            plan's claimed metrics in the title. The HTML page adds a tooltip \
            per rectangle (tensor, kind, size, steps, offset) and needs no \
            network. Malformed actions are skipped with a warning on stderr; \
            checking a plan is `stowage verify`'s job.
            """
    )

    @Argument(help: "The plan file (.json).")
    var plan: String

    @Option(name: [.customShort("o"), .customLong("output")],
            help: "Write here; the extension (.svg, .html) chooses the format. Default: SVG on stdout.")
    var output: String?

    @Option(help: "Picture width in pixels.")
    var width = 1200

    @Option(help: "Picture height in pixels.")
    var height = 720

    enum Format { case svg, html }

    /// The format the output path asks for.
    static func format(of path: String?) -> Format? {
        guard let path else { return .svg }
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "svg": return .svg
        case "html", "htm": return .html
        default: return nil
        }
    }

    func validate() throws {
        if Self.format(of: output) == nil {
            throw ValidationError("-o must end in .svg or .html, got '\(output ?? "")'")
        }
        guard (480 ... 20_000).contains(width), (320 ... 20_000).contains(height) else {
            throw ValidationError("--width must be 480...20000 and --height 320...20000")
        }
    }

    func run() throws {
        if let output {
            do { try OutputFile.check(output) } catch { throw CommandFailure.badInput(error.description) }
        }
        let loaded: Plan
        do {
            loaded = try PlanCodec.read(contentsOf: plan)
        } catch {
            throw CommandFailure.badInput(error.description)
        }
        let residency: Residency
        do {
            residency = try Residency(plan: loaded)
        } catch {
            throw CommandFailure.badInput("\(plan): \(error.description)")
        }
        for warning in residency.warnings {
            FileHandle.standardError.write(Data("stowage: warning: \(plan): \(warning)\n".utf8))
        }
        let hidden = residency.skippedActions - residency.warnings.count
        if hidden > 0 {
            FileHandle.standardError.write(Data("stowage: warning: \(plan): \(hidden) more malformed actions skipped\n".utf8))
        }

        let picture = PlanPicture(width: width, height: height)
        let text = Self.format(of: output) == .html
            ? picture.html(loaded, residency: residency)
            : picture.svg(loaded, residency: residency)
        guard let output else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            // Atomic: a browser reloading the file never sees half a picture.
            try OutputFile.write(text, to: output)
        } catch {
            throw CommandFailure.badInput(error.description)
        }
    }
}
