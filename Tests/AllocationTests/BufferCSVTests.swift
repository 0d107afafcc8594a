import Foundation
import MILP
import Testing
@testable import Allocation

@Suite struct BufferCSVTests {
    @Test func readsRequiredAndOptionalColumnsInAnyOrder() throws {
        let text = """
            # a comment
            size,id,upper,lower,alignment,offset
            16,x,3,0,8,
            4, "w,1" ,9,0,,0

            2,z,5,4,4,8\r
            """
        let p = try BufferCSV.parse(text, file: "t.csv")
        #expect(p.buffers == [
            Buffer(id: "x", lower: 0, upper: 3, size: 16, alignment: 8),
            Buffer(id: "w,1", lower: 0, upper: 9, size: 4, alignment: 1, fixedOffset: 0),
            Buffer(id: "z", lower: 4, upper: 5, size: 2, alignment: 4, fixedOffset: 8),
        ])
    }

    @Test func windowsLineEndingsAndMinimalHeader() throws {
        let p = try BufferCSV.parse("id,lower,upper,size\r\na,0,1,5\r\n", capacity: 9)
        #expect(p.buffers == [Buffer(id: "a", lower: 0, upper: 1, size: 5)])
        #expect(p.capacity == 9)
    }

    @Test(arguments: [
        ("id,lower,upper\na,0,1\n", 1, "missing column 'size'"),
        ("id,lower,upper,size,color\n", 1, "unknown column 'color'"),
        ("id,lower,upper,size,size\n", 1, "appears twice"),
        ("id,lower,upper,size\na,0,1\n", 2, "expected 4 fields, found 3"),
        ("id,lower,upper,size\na,0,1,x\n", 2, "size 'x' is not an integer"),
        ("id,lower,upper,size\na,0,1,1.5\n", 2, "not an integer"),
        ("id,lower,upper,size\na,0,1,99999999999999999999\n", 2, "64 bits"),
        ("id,lower,upper,size\na,0,1,-3\n", 2, "negative"),
        ("id,lower,upper,size\na,4,4,3\n", 2, "upper must be greater than lower"),
        ("id,lower,upper,size\na,5,4,3\n", 2, "empty"),
        ("id,lower,upper,size,alignment\na,0,1,3,0\n", 2, "alignment 0 must be positive"),
        ("id,lower,upper,size,alignment,offset\na,0,1,3,4,6\n", 2, "not a multiple of alignment 4"),
        ("id,lower,upper,size,offset\na,0,1,3,-2\n", 2, "negative"),
        ("id,lower,upper,size\na,0,1,3\n\nb,0,1,3\na,1,2,3\n", 5, "already used on line 2"),
        ("id,lower,upper,size\n,0,1,3\n", 2, "id is empty"),
        ("id,lower,upper,size\n\"a,0,1,3\n", 2, "unterminated"),
        ("id,lower,upper,size\na,,1,3\n", 2, "lower is empty"),
    ] as [(String, Int, String)])
    func errorsNameFileAndLine(_ text: String, _ line: Int, _ words: String) {
        do {
            _ = try BufferCSV.parse(text, file: "bad.csv")
            Issue.record("expected an error containing \(words)")
        } catch {
            #expect(error.line == line)
            #expect(error.description.hasPrefix("bad.csv:\(line): "), "\(error)")
            #expect(error.description.contains(words), "\(error)")
        }
    }

    @Test func anExpiredDeadlineStopsReadingWithTheLine() {
        let text = "id,lower,upper,size\n" + (0 ..< 10_000).map { "b\($0),0,1,1\n" }.joined()
        do {
            _ = try BufferCSV.parse(text, file: "t.csv", deadline: Deadline(seconds: 0))
            Issue.record("expected the time limit to stop reading")
        } catch {
            #expect(error.timeLimitPassed)
            #expect(error.line == BufferCSV.deadlineStride)
            #expect(error.description.hasPrefix("t.csv:\(BufferCSV.deadlineStride): the time limit passed"), "\(error)")
        }
        #expect((try? BufferCSV.parse(text, file: "t.csv", deadline: Deadline(seconds: 60)))?.count == 10_000)
    }

    @Test func readsMinimallocFiles() throws {
        // minimalloc's benchmarks: buffer,start,end,size.
        let p = try BufferCSV.parse("buffer,start,end,size\n0,0,3,4\n1,3,9,4\n", file: "A.csv")
        #expect(p.buffers == [Buffer(id: "0", lower: 0, upper: 3, size: 4), Buffer(id: "1", lower: 3, upper: 9, size: 4)])
    }

    @Test(arguments: [
        // Overlapping pins: both named, with lifetimes and bytes; the later line.
        ("id,lower,upper,size,offset\np,0,4,8,0\nq,2,6,8,4\n", nil, 3, "pinned buffers 'p' (steps [0, 4), bytes [0, 8)) and 'q' (steps [2, 6), bytes [4, 12)) overlap"),
        ("id,lower,upper,size,offset\np,0,4,8,16\nx,0,1,1,\nq,2,6,8,20\n", nil, 4, "lines 2 and 4"),
        ("id,lower,upper,size,offset\np,0,4,8,0\nq,4,6,8,4\n", 4, 2, "'p' (bytes [0, 8)) ends beyond the capacity 4"),
        ("id,lower,upper,size,offset\np,0,4,8,0\nq,4,6,8,4\n", 11, 3, "ends beyond the capacity 11"),
        ("id,lower,upper,size\na\u{7},0,1,1\n", nil, 2, "control character"),
        ("id,lower,upper,size\na,0,1,\(1 << 62)\n", nil, 2, "2^62"),
        ("id,lower,upper,size,offset\na,0,1,1,\(1 << 62)\n", nil, 2, "2^62"),
        ("id,lower,upper,size,alignment\na,0,1,1,\(1 << 62)\n", nil, 2, "2^62"),
        ("id,lower,upper,size\na,\(Int.min),1,1\n", nil, 2, "2^62"),
    ] as [(String, Int?, Int, String)])
    func contradictoryPinsAndHugeNumbersAreBadInput(_ text: String, _ capacity: Int?, _ line: Int, _ words: String) {
        do {
            _ = try BufferCSV.parse(text, file: "pins.csv", capacity: capacity)
            Issue.record("expected an error containing \(words)")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.description.contains(words), "\(error)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func pinsThatTouchOrLiveApartAreFine() throws {
        // Adjacent in memory, or apart in time: no contradiction.
        let text = "id,lower,upper,size,offset\np,0,4,8,0\nq,2,6,8,8\nr,4,6,8,0\n"
        #expect(try BufferCSV.parse(text, capacity: 16).count == 3)
    }

    @Test func binaryJunkNamesItsLine() throws {
        let path = NSTemporaryDirectory() + "stowage-junk-\(getpid()).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var data = Data("id,lower,upper,size\na,0,1,1\n".utf8)
        data.append(contentsOf: [0xFF, 0xFE, 0x00, 0x80, 0x0A])
        try data.write(to: URL(fileURLWithPath: path))
        do {
            _ = try BufferCSV.read(contentsOf: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 3)
            #expect(error.description.contains("not UTF-8"))
        }
    }

    @Test func problemWideErrorsNameTheFile() {
        let text = "id,lower,upper,size\na,0,1,\(Int.max / 2)\nb,0,1,\(Int.max / 2)\n"
        #expect(throws: BufferCSVError.self) { try BufferCSV.parse(text, file: "big.csv") }
        #expect((try? BufferCSV.parse("# only a comment\n", file: "e.csv")) == nil)
    }

    @Test func missingFileIsAnErrorNamingIt() {
        do {
            _ = try BufferCSV.read(contentsOf: "/nonexistent/x.csv")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/x.csv: cannot read"))
        }
    }

    @Test func writesOffsetsAndReadsBackAsFixedProblem() throws {
        let p = AllocationProblem(buffers: [
            Buffer(id: "a", lower: 0, upper: 2, size: 4),
            Buffer(id: "b \"q\", r", lower: 1, upper: 3, size: 4, alignment: 4),
        ])
        let offsets = [0, 4]
        let out = BufferCSV.write(p, offsets: offsets)
        #expect(out.hasPrefix("id,lower,upper,size,alignment,offset\n"))
        let back = try BufferCSV.parse(out)
        #expect(back.buffers.map(\.id) == p.buffers.map(\.id))
        #expect(back.buffers.map(\.fixedOffset) == [0, 4])
        #expect(back.buffers.map(\.alignment) == [1, 4])
        let plain = AllocationProblem(buffers: [Buffer(id: "a", lower: 0, upper: 2, size: 4)])
        #expect(BufferCSV.write(plain, offsets: [0]) == "id,lower,upper,size,offset\na,0,2,4,0\n")
        #expect(try BufferCSV.parse(BufferCSV.write(p)).buffers == p.buffers)
    }

    /// The byte-level reader and writer agree with Swift's own integer text
    /// and with each other, for every number a field can hold.
    @Test func integersReadAndWrittenAsSwiftDoes() throws {
        var rng = SystemRandomNumberGenerator()
        var values = [0, 1, -1, 9, 10, Int.max, Int.min, Int.max - 1, Int.min + 1, 4_611_686_018_427_387_904]
        for _ in 0 ..< 200 { values.append(Int.random(in: .min ... .max, using: &rng) >> Int.random(in: 0 ..< 63, using: &rng)) }
        for v in values {
            #expect(BufferCSV.integer(Array(String(v).utf8)[...]) == v)
            var text = BufferCSV.CSVText(header: "h", rows: 1)
            text.row("x", [v])
            #expect(text.text == "h\nx,\(v)\n")
        }
        #expect(BufferCSV.integer(Array("+7".utf8)[...]) == 7)
        #expect(BufferCSV.integer(Array("-0".utf8)[...]) == 0)
        for bad in ["", "+", "-", "9223372036854775808", "-9223372036854775809", "1_0", "0x1", " 1", "1e3", "١"] {
            #expect(BufferCSV.integer(Array(bad.utf8)[...]) == nil, "\(bad)")
        }
    }

    /// Offsets for only some buffers leave the others' column empty (the
    /// row keeps its width), and such a file reads back.
    @Test func missingOffsetsAreEmptyColumns() throws {
        let p = AllocationProblem(buffers: [
            Buffer(id: "a", lower: 0, upper: 2, size: 4),
            Buffer(id: "b", lower: 1, upper: 3, size: 4),
        ])
        let out = BufferCSV.write(p, offsets: [8])
        #expect(out == "id,lower,upper,size,offset\na,0,2,4,8\nb,1,3,4,\n")
        #expect(try BufferCSV.parse(out).buffers.map(\.fixedOffset) == [8, nil])
    }

    /// Ids that need quoting, non-ASCII text, and C0/C1 control characters.
    @Test func idsSurviveTheRoundTripAndControlsAreRefused() throws {
        let ids = ["plain", " lead", "trail ", "a,b", "say \"hi\"", "é-ü-名前", "\"", ",", "x\"\"y"]
        let p = AllocationProblem(buffers: ids.enumerated().map { k, id in Buffer(id: id, lower: k, upper: k + 2, size: k + 1) })
        #expect(try BufferCSV.parse(BufferCSV.write(p)).buffers == p.buffers)
        for control in ["\u{0}", "\t", "\u{1b}", "\u{7f}", "\u{85}", "\u{9f}"] {
            #expect(throws: BufferCSVError.self) { try BufferCSV.parse("id,lower,upper,size\na\(control)b,0,1,3\n") }
        }
        #expect(try BufferCSV.parse("id,lower,upper,size\n\u{a0}x,0,1,3\n").buffers.map(\.id) == ["\u{a0}x"])
    }
}
