import Foundation
import StowageKit
import Testing
import Verifier

/// Builds and runs the three examples as their READMEs say, and checks what
/// they hand back independently: plans are decoded and replayed by the
/// verifier against the graph the example planned.
@Suite("Examples: C, Python and Swift callers")
struct ExamplesTests {
    static let missingLibrary = "libStowageC is not next to the test binary: `swift build --product StowageC` (swift test builds it)"

    /// The graph an example prints with `--graph`, imported by the facade.
    func graph(printedBy outcome: Products.Outcome) throws -> Graph {
        try Planner.graph(fromJSON: Data(outcome.stdout.utf8), source: "example graph")
    }

    /// The plan file an example wrote, replayed against `graph`.
    func replay(_ planFile: URL, against graph: Graph) throws -> Plan {
        let plan = try PlanCodec.read(contentsOf: planFile.path)
        let report = Verifier.verify(plan, against: graph)
        #expect(report.passed, "\(report.failure.map(\.description) ?? "")")
        return plan
    }

    @Test("Examples/c/plan_graph.c compiles against stowage.h, links libStowageC, plans and allocates")
    func cExample() throws {
        let library = try #require(Products.library, Comment(rawValue: Self.missingLibrary))
        let folder = try Products.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = folder.appendingPathComponent("plan_graph").path
        let libDir = library.deletingLastPathComponent().path
        // cc when installed, else the clang that ships with Swift.
        let compiler = Products.available("cc") ? "cc" : "clang"
        let compile = try Products.run(compiler, ["-std=c99", "-Wall", "-Wextra", "-Werror", "Examples/c/plan_graph.c",
                                                  "-I", "include", "-L", libDir, "-lStowageC", "-Wl,-rpath,\(libDir)", "-o", binary])
        try #require(compile.status == 0, Comment(rawValue: compile.text))

        let planFile = folder.appendingPathComponent("plan.json")
        let run = try Products.run(binary, [planFile.path])
        #expect(run.status == 0, Comment(rawValue: run.text))
        #expect(run.stdout.hasPrefix("stowage \(Planner.version)\n"))
        #expect(run.stdout.hasSuffix("ok\n"))

        let graph = try graph(printedBy: try Products.run(binary, ["--graph"]))
        let plan = try replay(planFile, against: graph)
        let ilp = Products.fields(of: run.stdout, line: "ilp:")
        let baseline = Products.fields(of: run.stdout, line: "baseline:")
        #expect(ilp["method"] == plan.method)
        #expect(ilp["nonCompulsoryBytes"] == String(plan.metrics.nonCompulsoryBytes))
        // The same request through the Swift facade gives the same traffic.
        let direct = try Planner(options: PlanningOptions(method: .ilp, solver: .glpk)).plan(graph, capacity: .half)
        #expect(plan.metrics.nonCompulsoryBytes == direct.nonCompulsoryBytes)
        #expect(Int(baseline["nonCompulsoryBytes"] ?? "") ?? -1 >= plan.metrics.nonCompulsoryBytes)
        #expect(run.stdout.contains("1 KiB: status=1 error=infeasible at 1024 bytes"))
        #expect(run.stdout.contains("typo: status=2 error=options: methd: unknown key"))
        // Its offload line is what StowageKit's policy search finds for the
        // same config and options.
        let offload = Products.fields(of: run.stdout, line: "offload:")
        let config = #"{"model_type": "opt", "hidden_size": 4096, "ffn_dim": 16384, "num_attention_heads": 32, "num_hidden_layers": 32, "vocab_size": 50272, "max_position_embeddings": 2048, "torch_dtype": "float16"}"#
        let policy = try Planner().offload(configJSON: Data(config.utf8), options: OffloadOptions(hardware: "t4", timeLimit: 30))
        #expect(offload["gbs"] == String(policy.report.gbs) && offload["nb"] == String(policy.report.nb), Comment(rawValue: run.stdout))
        #expect(offload["gpuPeakBytes"] == String(Int(policy.report.gpuPeakBytes)), Comment(rawValue: run.stdout))
    }

    @Test("Examples/python/plan_graph.py drives the C API through ctypes",
          .enabled(if: Products.available("python3"), "python3 is not installed"))
    func pythonExample() throws {
        let library = try #require(Products.library, Comment(rawValue: Self.missingLibrary))
        let folder = try Products.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let planFile = folder.appendingPathComponent("plan.json")
        // Found through the environment, as a user without --lib would.
        let run = try Products.run("python3", ["Examples/python/plan_graph.py", "--plan", planFile.path],
                                   environment: ["STOWAGE_LIB": library.path])
        #expect(run.status == 0, Comment(rawValue: run.text))
        #expect(run.stdout.hasPrefix("stowage \(Planner.version)\n"))
        #expect(run.stdout.hasSuffix("ok\n"))
        #expect(run.stdout.contains("bad method: status 2: options: method: 'simulated-annealing'"))

        let graph = try graph(printedBy: try Products.run("python3", ["Examples/python/plan_graph.py", "--graph"]))
        let plan = try replay(planFile, against: graph)
        #expect(Products.fields(of: run.stdout, line: "ilp:")["nonCompulsoryBytes"] == String(plan.metrics.nonCompulsoryBytes))
        #expect(plan.metrics.bound != nil)
    }

    @Test("Examples/swift builds a graph in code and plans it through StowageKit")
    func swiftExample() throws {
        let binary = try #require(Products.find("PlanGraphExample"), "the PlanGraphExample executable is not built")
        let run = try Products.run(binary.path, [])
        #expect(run.status == 0, Comment(rawValue: run.text))
        #expect(run.stdout.hasSuffix("ok\n"))
        let belady = Products.fields(of: run.stdout, line: "baseline-belady:")
        let ilp = Products.fields(of: run.stdout, line: "ilp-fixed-order-glpk:")
        let beladyBytes = try #require(Int(belady["nonCompulsoryBytes"] ?? ""))
        let ilpBytes = try #require(Int(ilp["nonCompulsoryBytes"] ?? ""))
        #expect(ilpBytes <= beladyBytes)
        // Six operators, each verified.
        #expect(run.stdout.contains("6 steps verified"))
    }
}
