import Allocation
import Foundation
import Testing

/// Seeded hostile inputs through `stowage offload` and `stowage offload
/// calibrate`: LLM configs (Models/llm), hardware profiles (Profiles/) and
/// timings CSVs with fields made huge, zero, negative, NaN-like, of the
/// wrong type or missing, and files cut short. Every run must exit 0, 1 or
/// 2 (never crash), a failure must say so in one line naming the file, and
/// a failed run must leave no output behind.
@Suite struct OffloadHostileInputTests {
    static let root = CommandRunner.root.path

    /// Allocation's SplitMix64: the same mutations on every run.
    struct Random {
        var source: SplitMix64
        init(state: UInt64) { source = SplitMix64(seed: state) }
        mutating func next() -> UInt64 { source.next() }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
    }

    /// JSON texts a field may be replaced with (nil: the field is removed).
    static let hostileValues: [String?] = [
        "1e30", "1e300", "9223372036854775807", "4611686018427387904", "0", "-1", "-1e-300", "1e-300", "0.5",
        "\"NaN\"", "\"inf\"", "\"-Infinity\"", "\"abc\"", "\"16GiB\"", "\"16G\"", "\"\"", "true", "null", "[]", "{}", "[1, 2, 3]", nil,
    ]

    /// `text` with the value of `key` (at any depth of the path, dotted) replaced.
    static func mutate(_ text: String, path: [String], value: String?) throws -> String {
        var object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        func replace(_ node: Any, _ path: ArraySlice<String>) -> Any {
            guard let key = path.first else { return node }
            if var dictionary = node as? [String: Any] {
                if path.count == 1 {
                    dictionary[key] = value.map { try! JSONSerialization.jsonObject(with: Data($0.utf8), options: [.fragmentsAllowed]) }
                } else if let child = dictionary[key] {
                    dictionary[key] = replace(child, path.dropFirst())
                }
                return dictionary
            }
            if var array = node as? [Any], let index = Int(key), array.indices.contains(index) {
                if path.count == 1 {
                    if let value { array[index] = try! JSONSerialization.jsonObject(with: Data(value.utf8), options: [.fragmentsAllowed]) }
                    else { array.remove(at: index) }
                } else {
                    array[index] = replace(array[index], path.dropFirst())
                }
                return array
            }
            return node
        }
        object = replace(object, path[...])
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    static func write(_ text: String, _ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stowage-hostile-\(UUID().uuidString)-\(name)").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs `stowage` and checks the contract; returns the exit status.
    @discardableResult
    static func check(_ arguments: [String], file: String, what: String, output: String? = nil) throws -> Int32 {
        let outcome = try CommandRunner.run(arguments)
        #expect([0, 1, 2].contains(outcome.status), "\(what): exit \(outcome.status) (crash?) \(outcome.stderr.suffix(300))")
        if outcome.status != 0 {
            let message = outcome.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(!message.isEmpty && !message.contains("\n"), "\(what): not one line: \(message.prefix(400))")
            if outcome.status == 2 { #expect(message.contains(file), "\(what): the message does not name \(file): \(message)") }
            #expect(outcome.stdout.isEmpty, "\(what): output printed on failure")
            if let output { #expect(!FileManager.default.fileExists(atPath: output), "\(what): \(output) written on failure") }
        }
        return outcome.status
    }

    static let configKeys = ["num_hidden_layers", "hidden_size", "intermediate_size", "ffn_dim", "num_attention_heads",
                             "num_key_value_heads", "vocab_size", "max_position_embeddings", "torch_dtype", "model_type",
                             "tie_word_embeddings"]

    @Test func mutatedModelConfigs() throws {
        var random = Random(state: 13)
        var statuses: [Int32: Int] = [:]
        for name in ["opt-6.7b", "llama-2-70b", "mistral-7b"] {
            let original = try String(contentsOfFile: "\(Self.root)/Models/llm/\(name).json", encoding: .utf8)
            for trial in 0 ..< 14 {
                let key = random.pick(Self.configKeys), value = random.pick(Self.hostileValues)
                let text = trial == 13 ? String(original.prefix(Int(random.next() % UInt64(original.count)))) : try Self.mutate(original, path: [key], value: value)
                let file = try Self.write(text, "\(name).json")
                defer { try? FileManager.default.removeItem(atPath: file) }
                let mode = trial % 3 == 0 ? ["--mode", "exact", "--gbs", "1", "--nb", "2"] : ["--gbs", "2", "--nb", "2"]
                let status = try Self.check(["offload", "--model", file, "--hardware", "t4", "--json", "--time-limit", "60"] + mode,
                                            file: file, what: "\(name) \(key) = \(value ?? "removed")\(trial == 13 ? " (cut short)" : "")")
                statuses[status, default: 0] += 1
            }
        }
        #expect((statuses[2] ?? 0) >= 10 && (statuses[0] ?? 0) >= 3, "\(statuses)")
    }

    @Test func mutatedHardwareProfiles() throws {
        var random = Random(state: 29)
        var statuses: [Int32: Int] = [:]
        let flexGenKeys = [["gpuMemory"], ["cpuMemory"], ["disk"], ["cpuToGpuGBps"], ["gpuToCpuCacheGBps"], ["diskToCpuGBps"],
                           ["cpuToDiskDecodeGBps"], ["matmulPrefillTflops"], ["batchedMatmulDecodeTflops"], ["cpuTflops"],
                           ["cpuCorrection"], ["cpuCorrection", "1"], ["name"], ["gpuMemoryGB"]]
        let chainKeys = [["tiers"], ["tiers", "0", "capacity"], ["tiers", "1", "readGBps"], ["tiers", "1", "via"], ["tiers", "2", "capacity"],
                         ["tiers", "2", "via"], ["tiers", "3", "readCurve"], ["tiers", "3", "readCurve", "0", "chunk"],
                         ["tiers", "3", "readCurve", "2", "gbps"], ["tiers", "3", "chunk"], ["tiers", "3", "writeGBps"], ["tiers", "1"],
                         ["cpuTflops"], ["tiers", "2", "name"]]
        for (name, keys) in [("t4", flexGenKeys), ("a100-cxl-nvme", chainKeys)] {
            let original = try String(contentsOfFile: "\(Self.root)/Profiles/\(name).json", encoding: .utf8)
            for trial in 0 ..< 16 {
                let path = random.pick(keys), value = random.pick(Self.hostileValues)
                // Trial 0 is the file as shipped (a control: it must run), 15 a file cut short.
                let text = trial == 0 ? original
                    : trial == 15 ? String(original.prefix(Int(random.next() % UInt64(original.count)))) : try Self.mutate(original, path: path, value: value)
                let file = try Self.write(text, "\(name).json")
                defer { try? FileManager.default.removeItem(atPath: file) }
                let mode = trial % 2 == 0 ? ["--mode", "exact", "--gbs", "2", "--nb", "2"] : ["--gbs", "2", "--nb", "3"]
                let status = try Self.check(["offload", "--model", "\(Self.root)/Models/llm/opt-6.7b.json", "--hardware", file, "--json",
                                             "--time-limit", "60"] + mode,
                                            file: file, what: "\(name) \(path.joined(separator: ".")) = \(value ?? "removed")")
                statuses[status, default: 0] += 1
            }
        }
        #expect((statuses[2] ?? 0) >= 12 && (statuses[0] ?? 0) >= 2, "\(statuses)")
    }

    @Test func mutatedTimingsForCalibration() throws {
        var random = Random(state: 41)
        let lines = ["cpuToGpuGBps,1073741824,0.09,,", "cpuToGpuGBps,4294967296,0.33,,", "matmulPrefillTflops,1e13,0.5,,",
                     "cpuTflops,1e9,0.1,16,4096", "diskToCpuGBps,1073741824,2.2,,"]
        let fields = ["1e308", "1e-308", "0", "-3", "nan", "inf", "abc", "", "9223372036854775807", "4611686018427387904", "1,2"]
        var statuses: [Int32: Int] = [:]
        for trial in 0 ..< 18 {
            var rows = lines
            let row = Int(random.next() % UInt64(rows.count))
            var cells = rows[row].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            cells[Int(random.next() % UInt64(cells.count))] = random.pick(fields)
            // Trial 0 is the timings as written (a control: it must fit).
            if trial > 0 { rows[row] = cells.joined(separator: ",") }
            var text = "constant,amount,seconds,gbs,hidden\n" + rows.joined(separator: "\n") + "\n"
            if trial % 6 == 5 { text = String(text.prefix(Int(random.next() % UInt64(text.count)))) }
            let file = try Self.write(text, "timings.csv")
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("stowage-hostile-\(UUID().uuidString)-fitted.json").path
            defer { try? FileManager.default.removeItem(atPath: file); try? FileManager.default.removeItem(atPath: output) }
            let status = try Self.check(["offload", "calibrate", "--profile", "t4", "--timings", file, "-o", output],
                                        file: file, what: "timings row \(row): \(rows[row])", output: output)
            statuses[status, default: 0] += 1
            if status == 0 {
                // What was written is a profile the offload command reads.
                let run = try CommandRunner.run(["offload", "--model", "\(Self.root)/Models/llm/opt-6.7b.json", "--hardware", output, "--gbs", "1", "--nb", "1"])
                #expect([0, 1].contains(run.status), "\(run.stderr)")
            }
        }
        #expect((statuses[2] ?? 0) >= 5 && (statuses[0] ?? 0) >= 1, "\(statuses)")
    }

    @Test func anOutputThatIsADirectoryOrInAMissingFolderIsRefusedBeforeAnyWork() throws {
        let timings = try Self.write("constant,amount,seconds,gbs,hidden\ncpuToGpuGBps,1073741824,0.09,,\n", "timings.csv")
        defer { try? FileManager.default.removeItem(atPath: timings) }
        for output in [FileManager.default.temporaryDirectory.path, "/nonexistent-folder/fitted.json", "/dev/null"] {
            let outcome = try CommandRunner.run(["offload", "calibrate", "--profile", "t4", "--timings", timings, "-o", output])
            #expect(outcome.status == 2, "\(output): \(outcome.stderr)")
            #expect(outcome.stderr.contains(output))
        }
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: FileManager.default.temporaryDirectory.path, isDirectory: &isDirectory) && isDirectory.boolValue)
    }
}
