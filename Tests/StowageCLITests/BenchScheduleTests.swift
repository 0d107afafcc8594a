import Foundation
import Testing
@testable import StowageCLI

/// `stowage bench` with schedule experiments: one `stowage schedule` child
/// per model and method, its figures in the rows and the report.
@Suite struct BenchScheduleTests {
    @Test func scheduleRowsCarryHeightsAndBounds() throws {
        let dir = try BenchCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try BenchCommandTests.experiment(in: dir, [
            "kind": "schedule", "models": ["\(BenchCommandTests.graphs)/diamond.json"],
            "methods": ["heuristic", "dp"], "timeLimit": 10,
        ])
        let outcome = try BenchCommandTests.run(["bench", file, "-o", "\(dir)/r", "--jobs", "2"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let rows = try BenchCommandTests.rows("\(dir)/r.jsonl")
        #expect(rows.count == 2 && rows.allSatisfy { $0.status == .ok })
        for row in rows {
            let height = try #require(row.height)
            #expect(try #require(row.lowerBound) <= height)
            #expect(height <= (try #require(row.fileOrderHeight)))
        }
        let report = try BenchCommandTests.run(["bench", "report", "\(dir)/r.jsonl", "-o", "\(dir)/charts"])
        #expect(report.status == 0 && report.stdout.contains("Arena height"), "\(report.stdout)\(report.stderr)")
    }

    @Test func badScheduleMethodsNameTheKey() throws {
        let dir = try BenchCommandTests.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try BenchCommandTests.experiment(in: dir, [
            "kind": "schedule", "models": ["\(BenchCommandTests.graphs)/diamond.json"], "methods": ["baseline"],
        ])
        let outcome = try BenchCommandTests.run(["bench", file, "-o", "\(dir)/r"])
        #expect(outcome.status == 2 && outcome.stderr.contains("\"methods\""), "\(outcome.stderr)")
        let budgets = try BenchCommandTests.experiment(in: dir, [
            "kind": "schedule", "models": ["\(BenchCommandTests.graphs)/diamond.json"], "budgets": ["M_R"],
        ])
        #expect(try BenchCommandTests.run(["bench", budgets, "-o", "\(dir)/r"]).status == 2)
    }
}
