import Foundation
import InputMutation
import Testing

/// Seeded mutations of every input format this suite owns (ONNX models,
/// JSON graphs, plans, experiment files) through every command that reads
/// them: each run ends with exit 0, 1 or 2; a refusal is one line on
/// standard error; no crash; no output file unless the run succeeded.
/// (Buffer CSV, MPS/LP, LLM configs and profiles have suites of their own
/// beside their commands; the C API's is in StowageKitTests.)
@Suite struct HostileInputTests {
    struct Format: CustomStringConvertible, Sendable {
        var name: String
        var source: String
        var text: Bool
        var fileExtension: String
        /// Command lines for a mutated file and an output path.
        var commands: @Sendable (String, String) -> [[String]]
        var description: String { name }
    }

    static func path(_ relative: String) -> String { CommandRunner.root.appendingPathComponent(relative).path }

    static let formats: [Format] = [
        Format(name: "ONNX", source: path("Tests/ModelImportTests/Fixtures/tiny_cnn.onnx"), text: false, fileExtension: "onnx") { file, out in
            [["inspect", file, "--json"], ["plan", file, "--scratchpad", "M_H", "--dtype-bytes", "1", "-o", out, "--json", "--quiet"]]
        },
        Format(name: "ONNX (ResNet-50)", source: path("Models/onnx/resnet50.onnx"), text: false, fileExtension: "onnx") { file, out in
            [["plan", file, "--scratchpad", "M_H", "--dtype-bytes", "1", "-o", out, "--quiet"]]
        },
        Format(name: "JSON graph", source: path("Examples/graphs/attention_block.json"), text: true, fileExtension: "json") { file, out in
            [["inspect", file], ["plan", file, "--scratchpad", "M_H", "-o", out, "--quiet"],
             ["plan", file, "--scratchpad", "M_R", "--method", "ilp", "--solver", "glpk", "--time-limit", "10", "-o", out, "--quiet"]]
        },
        Format(name: "plan", source: "plan", text: true, fileExtension: "json") { file, out in
            [["verify", path("Examples/graphs/diamond.json"), file, "--real-memory", "--json"], ["render", file, "-o", out + ".svg"]]
        },
        Format(name: "experiment", source: "experiment", text: true, fileExtension: "json") { file, out in
            [["bench", file, "--dry-run", "-o", out]]
        },
    ]

    static let seeds = 0 ..< 24

    @Test(arguments: formats)
    func mutatedInputsEndWithAnExitCodeAndOneLine(_ format: Format) throws {
        let folder = NSTemporaryDirectory() + "stowage-hostile-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let original = try Self.original(format, in: folder)
        var mutator = InputMutator(seed: UInt64(format.name.utf8.reduce(0) { $0 &* 31 &+ Int($1) }))
        var statuses: [Int32: Int] = [:]
        for seed in Self.seeds {
            let bytes = mutator.mutate(original, text: format.text)
            let file = "\(folder)/mutant-\(seed).\(format.fileExtension)"
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            for (c, arguments) in format.commands(file, "\(folder)/out-\(seed)-\(format.name.hashValue & 0xffff)").enumerated() {
                let out = arguments.first { $0.hasPrefix(folder + "/out-") }
                let outcome = try CommandRunner.run(arguments, timeout: 120)
                let label = "\(format.name) mutant \(seed), command \(c) (\(arguments.first ?? "")): status \(outcome.status)"
                statuses[outcome.status, default: 0] += 1
                #expect(!outcome.signaled, "\(label): killed by signal \(outcome.status)\n\(outcome.stderr)")
                #expect([0, 1, 2].contains(outcome.status), "\(label)\n\(outcome.stderr)")
                if outcome.status != 0 {
                    let lines = outcome.stderr.split(separator: "\n", omittingEmptySubsequences: true)
                    #expect(lines.count == 1 && lines[0].hasPrefix("stowage: "), "\(label): stderr was\n\(outcome.stderr)")
                    if let out { #expect(!FileManager.default.fileExists(atPath: out), "\(label): left \(out) behind") }
                }
                if let out { try? FileManager.default.removeItem(atPath: out) }
            }
            // Nothing but the named outputs appears in the folder.
            let stray = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix("mutant-") && !$0.hasPrefix("original") }
            #expect(stray.isEmpty, "\(format.name) mutant \(seed) left \(stray)")
        }
        // The mutations bite: some runs are refused as bad input.
        #expect(statuses[2, default: 0] > 0, "\(format.name): \(statuses)")
    }

    /// The bytes to mutate: a bundled file, or one made here.
    static func original(_ format: Format, in folder: String) throws -> [UInt8] {
        switch format.source {
        case "plan":
            let plan = "\(folder)/original-plan.json"
            let made = try CommandRunner.run(["plan", path("Examples/graphs/diamond.json"), "--scratchpad", "M_R", "-o", plan, "--quiet"])
            #expect(made.status == 0, "\(made.stderr)")
            return Array(try Data(contentsOf: URL(fileURLWithPath: plan)))
        case "experiment":
            return Array("""
                {"version": 1, "models": ["\(path("Examples/graphs/diamond.json"))"], "budgets": ["M_R", "2048", "3KiB"],
                 "methods": ["baseline", "ilp"], "solvers": ["glpk"], "timeLimit": 5, "repeat": 2, "dtypeBytes": 1}
                """.utf8)
        default:
            return Array(try Data(contentsOf: URL(fileURLWithPath: format.source)))
        }
    }
}
