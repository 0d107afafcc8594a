import Foundation
import Testing
@testable import MILP

@Suite struct ModelFileTests {
    static let samples = "/usr/share/coin/Data/Sample"

    func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "stowage-test-\(getpid())-\(UUID().uuidString)-\(name)"
    }

    /// A model with every feature the formats must carry: names with spaces,
    /// free and negative bounds, ranges, equalities, integers, a constant.
    static func richModel() -> Model {
        var model = Model(name: "rich model")
        let x = model.addInteger(lower: -3, upper: 7, name: "x one")
        let y = model.addVariable(lower: -.infinity, upper: .infinity, name: "y")
        let z = model.addBinary(name: "z")
        let w = model.addVariable(lower: 0, upper: 2.5, name: "w")
        model.add(x + 2 * y - w <= 8, name: "cap a")
        model.add(LinearConstraint(x - y + 3 * z, in: -2 ... 4), name: "range")
        model.add(y + w == 1.5, name: "balance")
        model.add(x + z >= -1, name: "cap a")
        model.maximize(3 * x + y + 4 * z - w + 10)
        return model
    }

    @Test(arguments: ModelFileFormat.allCases, SolverUnderTest.allCases)
    func exportReimportSolveGivesTheSameOptimum(_ format: ModelFileFormat, _ backend: SolverUnderTest) throws {
        let model = Self.richModel()
        let original = backend.solver.solve(model)
        #expect(original.status == .optimal)
        let path = temporaryPath("rich.\(format.rawValue)")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.write(to: path, format: format)
        let reread = try Model(contentsOf: path)
        #expect(reread.constraintCount == model.constraintCount)
        #expect(reread.variables.count { $0.isInteger } == 2)
        let again = backend.solver.solve(reread)
        #expect(again.status == .optimal)
        #expect(abs((again.objective ?? .nan) - (original.objective ?? .nan)) < 1e-9)
    }

    /// Known optima of COIN-OR's sample MIPs, solved again after a trip
    /// through each format. (GLPK's LP writer turns ranged rows into extra
    /// columns, so only the MPS copy keeps the exact shape.)
    @Test(arguments: [("p0033.mps", 3089.0), ("exmip1.mps", 3.2368421052631575), ("lseu.mps", 1120.0), ("exmip1.lp", 3.2368421052631575)])
    func sampleModelsRoundTripThroughBothFormats(_ file: String, _ optimum: Double) throws {
        let model = try Model(contentsOf: "\(Self.samples)/\(file)")
        for format in ModelFileFormat.allCases {
            let path = temporaryPath("copy.\(format.rawValue)")
            defer { try? FileManager.default.removeItem(atPath: path) }
            try model.write(to: path, format: format)
            let copy = try Model(contentsOf: path)
            if format == .mps {
                #expect(copy.variableCount == model.variableCount)
                #expect(copy.constraintCount == model.constraintCount)
                #expect(copy.nonzeroCount == model.nonzeroCount)
            }
            let result = GLPKSolver().solve(copy)
            #expect(result.status == .optimal)
            #expect(abs((result.objective ?? .nan) - optimum) < 1e-6 * max(1, abs(optimum)), "\(file) as \(format)")
        }
    }

    @Test func malformedFilesNameTheFileAndLine() throws {
        let path = temporaryPath("broken.mps")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "NAME broken\nROWS\n N obj\n L c1\nCOLUMNS\n    x obj 1 c9 2\nRHS\nENDATA\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try Model(contentsOf: path)
        } throws: { error in
            let message = (error as? ModelFileError)?.description ?? ""
            return message.hasPrefix(path) && message.contains("line")
        }
    }

    @Test func objectiveSenseSurvivesMPS() throws {
        let path = temporaryPath("max.mps")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "NAME max\nOBJSENSE\n    MAX\nROWS\n N obj\n L c1\nCOLUMNS\n    x obj 1 c1 1\nRHS\n    RHS c1 4\nENDATA\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let model = try Model(contentsOf: path)
        #expect(model.sense == .maximize)
        #expect(CBCSolver().solve(model).objective == 4)
    }

    @Test func missingAndUnknownFilesAreTypedErrors() {
        #expect(throws: ModelFileError.self) { _ = try Model(contentsOf: "/nonexistent/model.mps") }
        #expect(throws: ModelFileError.self) { _ = try Model(contentsOf: "/etc/hostname") }
        #expect(throws: ModelFileError.self) { _ = try Model(contentsOf: "/tmp") }
    }

    @Test func garbageNeverCrashesTheReaders() throws {
        var rng = SeededGenerator(seed: 5)
        let original = try String(contentsOfFile: "\(Self.samples)/p0033.mps", encoding: .utf8)
        for round in 0 ..< 40 {
            var bytes = Array(original.utf8)
            for _ in 0 ..< 1 + round % 5 {
                let at = Int.random(in: 0 ..< bytes.count, using: &rng)
                bytes[at] = UInt8.random(in: 0 ... 255, using: &rng)
            }
            if round % 3 == 0 { bytes = Array(bytes.prefix(Int.random(in: 0 ..< bytes.count, using: &rng))) }
            for format in ModelFileFormat.allCases {
                let path = temporaryPath("garbage.\(format.rawValue)")
                _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
                _ = try? Model(contentsOf: path)
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }
}
