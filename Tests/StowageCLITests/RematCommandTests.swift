import Foundation
import SchemaCheck
import Testing

/// `stowage remat` as a user runs it: a verified plan and its report on a
/// bundled training graph, the smallest provable budget named below it,
/// bad options refused, networkx node-link graphs read.
@Suite struct RematCommandTests {
    static let vgg = CommandRunner.root.appendingPathComponent("Models/training/vgg16.json").path
    static let chain = CommandRunner.root.appendingPathComponent("Examples/nodelink/training-chain.json").path

    func conforms(_ text: String) throws -> Bool {
        let check = try JSONSchemaCheck(named: "remat-report.schema.json", root: CommandRunner.root)
        let violation = check.violation(of: try JSONDocument.parse(text))
        #expect(violation == nil, "\(violation ?? "")")
        return violation == nil
    }

    @Test(arguments: ["chen", "torch-knapsack", "greedy"])
    func aPlanAtEightyPercentVerifies(_ method: String) throws {
        let plan = NSTemporaryDirectory() + "stowage-remat-\(getpid())-\(method).json"
        defer { try? FileManager.default.removeItem(atPath: plan) }
        let run = try CommandRunner.run(["remat", Self.vgg, "--budget", "0.8", "--method", method, "--json", "--quiet", "-o", plan])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try conforms(run.stdout))
        let report = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] ?? [:]
        let peak = report["peakBytes"] as? Int ?? .max, budget = report["budgetBytes"] as? Int ?? 0
        #expect(peak <= budget)
        #expect((report["overhead"] as? Double ?? -1) >= 0)
        #expect((report["recomputations"] as? Int ?? 0) > 0)
        let planSchema = try JSONSchemaCheck(named: "plan.schema.json", root: CommandRunner.root)
        #expect(planSchema.violation(of: try JSONDocument.parse(try String(contentsOfFile: plan, encoding: .utf8))) == nil)
        // The written plan replays with `stowage verify`, symbolically and in real memory.
        let verified = try CommandRunner.run(["verify", Self.vgg, plan, "--real-memory"])
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
    }

    /// PyTorch's heuristic at 70 % of VGG-16's keep-everything peak: none of
    /// its budgets gives a schedule whose true peak fits (its lowest is
    /// 2,197,442,468 B against 2,002,482,521 B), and the message says so.
    @Test func torchKnapsackBelowItsLowestTruePeakSaysSo() throws {
        let run = try CommandRunner.run(["remat", Self.vgg, "--budget", "0.7", "--method", "torch-knapsack", "--json", "--quiet"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("its lowest peak is"), "\(run.stderr)")
        #expect(try conforms(run.stdout))
    }

    @Test func belowTheProvableMinimumTheBudgetIsNamed() throws {
        let run = try CommandRunner.run(["remat", Self.vgg, "--budget", "1MiB", "--json"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("smallest budget that can be proven necessary is"), "\(run.stderr)")
        // And the smallest budget at which a method found a plan, by bisection over the heuristics.
        #expect(run.stderr.contains("the smallest budget at which a method found a plan is"), "\(run.stderr)")
        #expect(try conforms(run.stdout))
    }

    static let mirroredChain = CommandRunner.root.appendingPathComponent("Examples/graphs/mirrored-chain-12.json").path

    /// `--budget min` with griewank on a mirrored chain: the bisection
    /// reaches the proven minimum (b_1's gradient, the weight gradient and
    /// the incoming gradient: 6,000 B), and the plan there verifies.
    @Test func budgetMinReachesTheProvenMinimumOnAChain() throws {
        let run = try CommandRunner.run(["remat", Self.mirroredChain, "--budget", "min", "--method", "griewank", "--json", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try conforms(run.stdout))
        let report = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(report["smallestPlannedBytes"] as? Int == 6000)
        #expect(report["budgetBytes"] as? Int == 6000)
        #expect(report["minimumBytes"] as? Int == 6000)
        #expect((report["peakBytes"] as? Int ?? .max) <= 6000)
        #expect(report["method"] as? String == "griewank")
    }

    @Test func griewankRefusesAGraphThatIsNotAChain() throws {
        let run = try CommandRunner.run(["remat", Self.vgg, "--budget", "0.8", "--method", "griewank"])
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("operator '"), "\(run.stderr)")
    }

    /// Spills on VGG-16 at 60 % of the keep-everything peak, where no
    /// method plans without them: greedy stores values to host (priced by
    /// the A100 profile's PCIe link) and the plan verifies.
    @Test func spillsFitWhereRecomputationAloneDoesNot() throws {
        let plan = NSTemporaryDirectory() + "stowage-remat-spill-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: plan) }
        let profile = CommandRunner.root.appendingPathComponent("Profiles/a100-40gb.json").path
        let run = try CommandRunner.run(["remat", Self.vgg, "--budget", "0.6", "--method", "greedy", "--spill", "--hardware", profile,
                                         "--json", "--quiet", "-o", plan])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try conforms(run.stdout))
        let report = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] ?? [:]
        #expect((report["spilledBytes"] as? Int ?? 0) > 0)
        #expect((report["transferCost"] as? Double ?? 0) > 0)
        // The heuristic's only bound is the trivial one (every operator once), and it says so.
        #expect(report["boundSource"] as? String == "base" && report["overheadBound"] as? Double == 0)
        let verified = try CommandRunner.run(["verify", Self.vgg, plan, "--real-memory"])
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
    }

    @Test func nodeLinkGraphsPlanExactly() throws {
        let run = try CommandRunner.run(["remat", Self.chain, "--budget", "0.95", "--method", "exact", "--json", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try conforms(run.stdout))
        let report = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(report["optimal"] as? Bool == true)
        #expect(report["boundScope"] as? String == "capped-executions")
        #expect(report["boundSource"] as? String == "milp")
    }

    /// Checkmate's MILP and its LP rounding name their scope: stage schedules in the given order.
    @Test(arguments: ["checkmate", "lp"])
    func stageMethodsNameTheirScope(_ method: String) throws {
        let run = try CommandRunner.run(["remat", Self.chain, "--budget", "0.95", "--method", method, "--json", "--quiet", "--time-limit", "60"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try conforms(run.stdout))
        let report = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(report["method"] as? String == method)
        #expect(report["boundScope"] as? String == "stages")
        #expect(["milp", "lp", "stage-knapsack", "cover", "critical"].contains(report["boundSource"] as? String ?? "none"), "\(report["boundSource"] ?? "none")")
        if method == "checkmate" { #expect(report["optimal"] as? Bool == true) }
    }

    @Test(arguments: [["--budget", "1.5"], ["--budget", "0.0"], ["--budget", "-3"], ["--budget", "0.7", "--method", "greedy", "--solver", "cbc"],
                      ["--budget", "0.7", "--time-limit", "0"], ["--budget", "0.7", "--method", "sideways"],
                      ["--budget", "0.7", "--spill"], ["--budget", "0.7", "--hardware", "t4"],
                      ["--budget", "0.7", "--method", "chen", "--spill", "--hardware", "t4"], ["--budget", "0.7", "--spill", "--hardware", "nowhere.json"]])
    func badOptionsExitWithTwo(_ options: [String]) throws {
        let run = try CommandRunner.run(["remat", Self.vgg] + options)
        #expect(run.status == 2, "\(options): \(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
    }
}
