import Foundation

/// Paths of repository files the tests read, found from this file's path
/// (nothing is declared as a resource).
enum TestFiles {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static let modelNames = [
        "resnet50", "resnext50", "mobilenet_v2", "vgg16", "vit_b_16", "fcn_resnet50",
        "deeplabv3_resnet50", "lraspp_mobilenet_v3", "r2plus1d_18", "bert_base", "gpt2",
    ]

    static func model(_ name: String) -> String {
        repository.appendingPathComponent("Models/onnx/\(name).onnx").path
    }

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    static func example(_ name: String) -> String {
        repository.appendingPathComponent("Examples/graphs/\(name)").path
    }
}

/// A seeded generator so randomized tests repeat exactly (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
