import Foundation
import Testing

/// `stowage inspect` driven as a user would, against the figures computed
/// independently with the onnx package (Models/reference_figures.json).
@Suite struct InspectCommandTests {
    struct Figures: Decodable, Equatable {
        var nodes: Int
        var tensors: Int
        var weightBytes: Int
        var peakLiveBytes: Int
        var maxOperatorBytes: Int
    }

    struct Reference: Decodable {
        var models: [String: Figures]
    }

    @Test(arguments: ["resnet50", "bert_base", "r2plus1d_18"])
    func jsonMatchesTheReferenceFigures(_ model: String) throws {
        let root = CommandRunner.root
        let data = try Data(contentsOf: root.appendingPathComponent("Models/reference_figures.json"))
        let expected = try #require(try JSONDecoder().decode(Reference.self, from: data).models[model])
        let outcome = try CommandRunner.run(["inspect", root.appendingPathComponent("Models/onnx/\(model).onnx").path, "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let figures = try JSONDecoder().decode(Figures.self, from: Data(outcome.stdout.utf8))
        #expect(figures == expected)
    }

    @Test func dtypeBytesScalesFloatingPointTensors() throws {
        let path = CommandRunner.root.appendingPathComponent("Models/onnx/resnet50.onnx").path
        let outcome = try CommandRunner.run(["inspect", path, "--json", "--dtype-bytes", "1"])
        let figures = try JSONDecoder().decode(Figures.self, from: Data(outcome.stdout.utf8))
        #expect(figures.weightBytes == 102121888 / 4)
        #expect(figures.peakLiveBytes == 9633792 / 4)
    }

    @Test func aCorruptModelExitsWithTwoAndNamesTheFile() throws {
        let path = NSTemporaryDirectory() + "stowage-corrupt-\(getpid()).onnx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data([0x08, 0x07, 0x12, 0xFF, 0xFF, 0x01]).write(to: URL(fileURLWithPath: path))
        let outcome = try CommandRunner.run(["inspect", path])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains(path))
        #expect(outcome.stdout.isEmpty)
    }
}
