import Foundation
import SchemaCheck
import Testing

/// `stowage alloc --json` conforms to Schemas/alloc-report.schema.json with
/// a fit, without one, and the schema refuses what it should.
@Suite struct AllocSchemaTests {
    static let mlp = CommandRunner.root.appendingPathComponent("Examples/alloc/mlp.csv").path

    func violation(_ text: String) throws -> String? {
        let check = try JSONSchemaCheck(named: "alloc-report.schema.json", root: CommandRunner.root)
        return check.violation(of: try JSONDocument.parse(text))
    }

    @Test func fitsAndMissesConform() throws {
        let fit = try CommandRunner.run(["alloc", Self.mlp, "--json", "--quiet"])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(try violation(fit.stdout) == nil, "\(fit.stdout)")
        #expect(fit.stdout.contains("\"offsets\":["))
        // Above the pinned weights (4,096 bytes), below the peak of live bytes.
        let miss = try CommandRunner.run(["alloc", Self.mlp, "--capacity", "5000", "--json", "--quiet"])
        #expect(miss.status == 1)
        #expect(try violation(miss.stdout) == nil, "\(miss.stdout)")
        #expect(miss.stdout.contains("\"offsets\":null"))
    }

    @Test func theSchemaRejectsWhatItForbids() throws {
        let good = #"{"version":1,"feasible":true,"status":"fit","height":8,"lowerBound":8,"optimal":true,"gap":0,"method":"greedy","seconds":0.01,"buffers":1,"capacity":null,"offsets":[0]}"#
        #expect(try violation(good) == nil)
        for bad in [
            good.replacingOccurrences(of: #""version":1"#, with: #""version":2"#),
            good.replacingOccurrences(of: #""status":"fit""#, with: #""status":"ok""#),
            good.replacingOccurrences(of: #""offsets":[0]"#, with: #""offsets":[-1]"#),
            good.replacingOccurrences(of: #","capacity":null"#, with: ""),
            good.replacingOccurrences(of: #""buffers":1"#, with: #""buffers":1,"extra":0"#),
        ] {
            #expect(try violation(bad) != nil, "\(bad)")
        }
    }
}
