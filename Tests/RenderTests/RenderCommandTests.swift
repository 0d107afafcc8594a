import Foundation
import Testing
import Plan

/// The `stowage` binary in the build products folder, beside the tests.
enum StowageBinary {
    static let url: URL? = {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0 ..< 4 {
            let candidate = folder.appendingPathComponent("stowage")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        return nil
    }()
}

/// `stowage render` driven as a user would: the built executable, real
/// files, exit codes and messages.
@Suite(.enabled(if: StowageBinary.url != nil, "the stowage executable is not built"))
struct RenderCommandTests {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String]) throws -> Outcome {
        let process = Process()
        let url: URL = try #require(StowageBinary.url)
        process.executableURL = url
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A fresh folder holding `plan` as plan.json.
    static func folder(with plan: Plan? = SamplePlans.small) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("render-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if let plan { try PlanCodec.encode(plan).write(to: folder.appendingPathComponent("plan.json")) }
        return folder
    }

    @Test func writesSVGOrHTMLByExtension() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plan = folder.appendingPathComponent("plan.json").path
        for (name, marker) in [("out.svg", "<svg "), ("out.html", "<!DOCTYPE html>"), ("OUT.HTM", "<!DOCTYPE html>")] {
            let path = folder.appendingPathComponent(name).path
            let outcome = try Self.run(["render", plan, "-o", path])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(outcome.stdout.isEmpty && outcome.stderr.isEmpty)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.hasPrefix(marker))
            #expect(text.contains("<title>x\n"))
        }
        let svg = try String(contentsOfFile: folder.appendingPathComponent("out.svg").path, encoding: .utf8)
        #expect(try SVGElements(svg).all("rect", class: "iv").count == 6)
        // Nothing but the outputs is left behind (atomic writes use a temporary file).
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names == ["OUT.HTM", "out.html", "out.svg", "plan.json"])
    }

    @Test func withoutAnOutputTheSVGGoesToStandardOutput() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try Self.run(["render", folder.appendingPathComponent("plan.json").path, "--width", "800"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\""))
        _ = try SVGElements(outcome.stdout)
    }

    @Test func unreadableAndInvalidPlansExitTwoNamingTheFile() throws {
        let folder = try Self.folder(with: nil)
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("missing.json").path
        let garbage = folder.appendingPathComponent("garbage.json").path
        try Data("{\"version\": 1, \"method\": [".utf8).write(to: URL(fileURLWithPath: garbage))
        var noTier = SamplePlans.small
        noTier.computeTier = "gpu"
        let wrongTier = folder.appendingPathComponent("wrong-tier.json").path
        try PlanCodec.encode(noTier).write(to: URL(fileURLWithPath: wrongTier))
        for path in [missing, garbage, wrongTier] {
            let outcome = try Self.run(["render", path, "-o", folder.appendingPathComponent("out.svg").path])
            #expect(outcome.status == 2)
            #expect(outcome.stdout.isEmpty)
            #expect(outcome.stderr.hasPrefix("stowage: \(path): "))
            #expect(outcome.stderr.split(separator: "\n").count == 1)
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.svg").path))
    }

    @Test func otherExtensionsAndUnwritablePathsExitTwo() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plan = folder.appendingPathComponent("plan.json").path
        let png = try Self.run(["render", plan, "-o", folder.appendingPathComponent("out.png").path])
        #expect(png.status == 2)
        #expect(png.stderr.contains(".svg or .html"))
        let nowhere = folder.appendingPathComponent("no/such/folder/out.svg").path
        let unwritable = try Self.run(["render", plan, "-o", nowhere])
        #expect(unwritable.status == 2)
        #expect(unwritable.stderr.hasPrefix("stowage: \(nowhere): the folder") && unwritable.stderr.contains("does not exist"))
    }

    @Test func malformedActionsAreWarningsNotFailures() throws {
        var plan = SamplePlans.small
        plan.steps[1].before.append(.allocate(77, in: "scratchpad", at: 0))
        let folder = try Self.folder(with: plan)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("plan.json").path
        let outcome = try Self.run(["render", path])
        #expect(outcome.status == 0)
        #expect(outcome.stderr == "stowage: warning: \(path): step 1: allocate of tensor 77: no such tensor (the plan lists 6)\n")
        #expect(outcome.stdout.contains("1 malformed actions skipped"))
    }
}
