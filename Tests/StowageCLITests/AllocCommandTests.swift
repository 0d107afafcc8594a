import Allocation
import Foundation
import Testing

/// `stowage alloc` as a user runs it: offsets in the JSON, the one size
/// grammar, contradictory pins refused, outputs whole or absent.
@Suite struct AllocCommandTests {
    static let folder = NSTemporaryDirectory() + "stowage-alloc-\(getpid())/"

    static func file(_ name: String, _ text: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    struct Summary: Decodable {
        var feasible: Bool
        var height: Int?
        var lowerBound: Int
        var offsets: [Int]?
        var buffers: Int
    }

    @Test func jsonCarriesOneOffsetPerBufferInInputOrder() throws {
        let path = CommandRunner.root.appendingPathComponent("Examples/alloc/mlp.csv").path
        let outcome = try CommandRunner.run(["alloc", path, "--json", "--quiet"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let summary = try JSONDecoder().decode(Summary.self, from: Data(outcome.stdout.utf8))
        let offsets = try #require(summary.offsets)
        let problem = try BufferCSV.read(contentsOf: path)
        #expect(offsets.count == problem.count && summary.buffers == problem.count)
        // Checked here by the definition: every pair alive together is apart.
        for (i, a) in problem.buffers.enumerated() {
            #expect(offsets[i] % a.alignment == 0)
            if let pin = a.fixedOffset { #expect(offsets[i] == pin) }
            for j in i + 1 ..< problem.count where a.conflicts(with: problem.buffers[j]) {
                let b = problem.buffers[j]
                #expect(offsets[i] + a.size <= offsets[j] || offsets[j] + b.size <= offsets[i], "\(a.id) and \(b.id)")
            }
        }
        #expect(summary.height == zip(problem.buffers, offsets).map { $0.size + $1 }.max())
    }

    @Test func capacityReadsTheOneSizeGrammar() throws {
        // 10^9 + 1 bytes: above 1GB (10^9), below 1GiB (2^30).
        let path = try Self.file("one.csv", "id,lower,upper,size\na,0,1,1000000001\n")
        #expect(try CommandRunner.run(["alloc", path, "--capacity", "1GiB", "--quiet"]).status == 0)
        let decimal = try CommandRunner.run(["alloc", path, "--capacity", "1GB", "--quiet"])
        #expect(decimal.status == 1, "\(decimal.stderr)")
        #expect(try CommandRunner.run(["alloc", path, "--capacity", "1000000001", "--quiet"]).status == 0)
        for bad in ["512K", "-5", "1e9", "lots", "1.5"] {
            let outcome = try CommandRunner.run(["alloc", path, "--capacity", bad])
            #expect(outcome.status == 2, "\(bad): \(outcome.stderr)")
            #expect(outcome.stderr.contains("'\(bad)'"), "\(bad): \(outcome.stderr)")
            #expect(outcome.stdout.isEmpty)
        }
    }

    @Test func contradictoryPinsAreBadInputNamingBothBuffers() throws {
        let overlap = try Self.file("pins.csv", "id,lower,upper,size,offset\np,0,4,8,0\nq,2,6,8,4\nr,0,9,3,\n")
        for extra in [[], ["--capacity", "100"], ["--json"]] {
            let outcome = try CommandRunner.run(["alloc", overlap, "--quiet"] + extra)
            #expect(outcome.status == 2, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("'p'") && outcome.stderr.contains("'q'") && outcome.stderr.contains("\(overlap):3:"),
                    "\(outcome.stderr)")
            #expect(outcome.stderr.split(separator: "\n").count == 1)
            #expect(outcome.stdout.isEmpty)
        }
        let beyond = try Self.file("beyond.csv", "id,lower,upper,size,offset\np,0,4,8,8\n")
        let outcome = try CommandRunner.run(["alloc", beyond, "--capacity", "12"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("'p'") && outcome.stderr.contains("capacity 12"), "\(outcome.stderr)")
        let misaligned = try Self.file("misaligned.csv", "id,lower,upper,size,alignment,offset\np,0,4,8,16,8\n")
        #expect(try CommandRunner.run(["alloc", misaligned]).status == 2)
    }

    @Test func outputsAreRefusedBeforeAnyWorkAndNeverHalfWritten() throws {
        let path = CommandRunner.root.appendingPathComponent("Examples/alloc/mlp.csv").path
        let directory = Self.folder + "out-dir"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let intoDirectory = try CommandRunner.run(["alloc", path, "-o", directory])
        #expect(intoDirectory.status == 2)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(try CommandRunner.run(["alloc", path, "-o", Self.folder + "missing/out.csv"]).status == 2)
        // No fit: nothing written.
        let target = Self.folder + "nofit.csv"
        // Above the pinned weights (4,096 bytes), below the peak of live bytes.
        let noFit = try CommandRunner.run(["alloc", path, "--capacity", "5000", "-o", target, "--quiet"])
        #expect(noFit.status == 1)
        #expect(!FileManager.default.fileExists(atPath: target))
    }

    /// Seeded mutations of a valid buffer CSV, each through `stowage alloc`:
    /// every run exits 0, 1 or 2 (no crash), a bad input says so in one line
    /// naming the file (and the line when one is at fault), and an output
    /// file exists exactly when the run succeeded, and then holds a valid
    /// allocation.
    @Test func hostileBufferFilesNeverCrashOrLeaveHalfAnOutput() throws {
        let original = try String(contentsOf: CommandRunner.root.appendingPathComponent("Examples/alloc/transformer-2x2.csv"), encoding: .utf8)
        var lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var rng = SplitMix64(seed: 2_024)
        let mutations: [(String, (inout [String], inout SplitMix64) -> Void)] = [
            ("drop a field", { l, r in Self.editField(&l, &r) { fields, k, _ in fields.remove(at: k) } }),
            ("huge number", { l, r in Self.editField(&l, &r) { f, k, r in f[k] = ["9223372036854775807", "4611686018427387904", "99999999999999999999999"].randomElement(using: &r)! } }),
            ("negative", { l, r in Self.editField(&l, &r) { f, k, r in f[k] = "-\(Int.random(in: 1 ... 1 << 40, using: &r))" } }),
            ("garbage", { l, r in Self.editField(&l, &r) { f, k, r in f[k] = ["x", "1.5", "", " ", "0x10", "1e9", "∞", "\"", "1,2"].randomElement(using: &r)! } }),
            ("lower >= upper", { l, r in
                let k = Int.random(in: 1 ..< l.count, using: &r)
                var f = l[k].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                if f.count > 2 { f.swapAt(1, 2) }
                l[k] = f.joined(separator: ",")
            }),
            ("duplicate id", { l, r in l.append(l[Int.random(in: 1 ..< l.count, using: &r)]) }),
            ("huge alignment", { l, r in
                l[0] = "id,lower,upper,size,alignment"
                let k = Int.random(in: 1 ..< l.count, using: &r)
                var f = l[k].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                f[f.count - 1] = ["4611686018427387903", "1099511627776", "3"].randomElement(using: &r)!
                l[k] = f.joined(separator: ",")
            }),
            ("pin beyond 2^62", { l, r in
                l = l.enumerated().map { $0.offset == 0 ? $0.element + ",offset" : $0.element + "," }
                let k = Int.random(in: 1 ..< l.count, using: &r)
                l[k] += ["4611686018427387904", "4611686018427387840", "9223372036854775807"].randomElement(using: &r)!
            }),
            ("overlapping pins", { l, r in
                l = l.enumerated().map { $0.offset == 0 ? $0.element + ",offset" : $0.element + ",0" }
            }),
            ("truncated line", { l, r in
                let k = Int.random(in: 1 ..< l.count, using: &r)
                l[k] = String(l[k].prefix(Int.random(in: 0 ..< max(1, l[k].count), using: &r)))
                l = Array(l.prefix(k + 1))
            }),
            ("control characters", { l, r in
                let k = Int.random(in: 0 ..< l.count, using: &r)
                l[k] += "\u{0}\u{7}\u{1b}[2J"
            }),
            ("no header", { l, _ in l.removeFirst() }),
            ("unknown column", { l, _ in l[0] += ",colour" }),
        ]
        var seen = Set<Int32>()
        for round in 0 ..< 3 {
            for (name, mutate) in mutations {
                var mutant = lines
                mutate(&mutant, &rng)
                let input = try Self.file("mutant-\(round)-\(name.replacingOccurrences(of: " ", with: "-")).csv", mutant.joined(separator: "\n") + "\n")
                if round == 2 {
                    // Raw bytes that are not UTF-8, somewhere in the file.
                    var data = try Data(contentsOf: URL(fileURLWithPath: input))
                    let at = Int.random(in: 0 ... data.count, using: &rng)
                    data.insert(contentsOf: (0 ..< 6).map { _ in UInt8.random(in: 0x80 ... 0xFF, using: &rng) }, at: at)
                    try data.write(to: URL(fileURLWithPath: input))
                }
                let output = input + ".out"
                var arguments = ["alloc", input, "-o", output, "--time-limit", "2", "--quiet"]
                if Bool.random(using: &rng) { arguments += ["--capacity", "\(Int.random(in: 1 ... 1 << 34, using: &rng))"] }
                let outcome = try CommandRunner.run(arguments)
                let what = "\(name) (round \(round)): \(outcome.status) \(outcome.stderr)"
                #expect(!outcome.signaled, "\(what)")
                #expect([0, 1, 2].contains(outcome.status), "\(what)")
                seen.insert(outcome.status)
                let written = FileManager.default.fileExists(atPath: output)
                #expect(written == (outcome.status == 0), "\(what)")
                if outcome.status != 0 {
                    #expect(outcome.stderr.split(separator: "\n").count == 1, "\(what)")
                    #expect(outcome.stderr.contains(input), "\(what)")
                }
                if outcome.status == 2 {
                    #expect(outcome.stderr.contains("\(input):"), "\(what)")
                }
                if written {
                    // The output, read back with every offset pinned, is a valid problem.
                    let back = try BufferCSV.read(contentsOf: output)
                    #expect(back.count == (try BufferCSV.read(contentsOf: input)).count, "\(what)")
                }
            }
        }
        #expect(seen.contains(2) && seen.contains(0))
    }

    /// Applies `edit` to the fields of a random data line.
    static func editField(_ lines: inout [String], _ rng: inout SplitMix64, _ edit: (inout [String], Int, inout SplitMix64) -> Void) {
        let k = Int.random(in: 1 ..< lines.count, using: &rng)
        var fields = lines[k].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        edit(&fields, Int.random(in: 0 ..< fields.count, using: &rng), &rng)
        lines[k] = fields.joined(separator: ",")
    }
}
