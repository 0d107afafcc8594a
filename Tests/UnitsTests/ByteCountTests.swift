import Testing
import Units

/// The one byte-size grammar: what it accepts, what it refuses and why.
@Suite struct ByteCountTests {
    @Test(arguments: [
        ("4096", 4096), ("0", 0), (" 12 ", 12), ("7B", 7), ("7 b", 7),
        ("1kB", 1_000), ("1KB", 1_000), ("1kb", 1_000), ("1MB", 1_000_000), ("1GB", 1_000_000_000),
        ("2TB", 2_000_000_000_000), ("1KiB", 1024), ("1kib", 1024), ("2MiB", 2 << 20), ("1GiB", 1 << 30),
        ("1TiB", 1 << 40), ("1.5MiB", 1_572_864), ("1.5GB", 1_500_000_000), ("0.5KiB", 512),
        ("1.1MiB", 1_153_433), (".5kB", 500), ("3.", 0), ("16 GiB", 16 << 30),
        ("1.000000000000000001TiB", 1 << 40),
    ] as [(String, Int)])
    func accepts(_ text: String, _ bytes: Int) throws {
        if text == "3." {
            #expect(throws: ByteCount.ParseError.self) { try ByteCount.parse(text) }
            return
        }
        #expect(try ByteCount.parse(text) == bytes)
    }

    @Test(arguments: [
        ("-1", "negative"), ("-2MiB", "negative"), ("1e9", "exponents"), ("512K", "ambiguous"),
        ("2G", "ambiguous"), ("1.5", "decimal needs a unit"), ("abc", "expected"), ("", "empty"),
        ("12 parsecs", "unknown unit"), ("1.2.3MB", "not a number"), ("4611686018427387904", "largest"),
        ("99999999999999999999", "largest"), ("4194304TiB", "largest"), (".MiB", "not a number"),
        ("MiB", "expected"), ("nan", "expected"), ("inf", "expected"),
    ] as [(String, String)])
    func refuses(_ text: String, _ reason: String) {
        do {
            let bytes = try ByteCount.parse(text)
            Issue.record("'\(text)' parsed as \(bytes)")
        } catch {
            #expect(error.description.contains("'\(text)'"))
            #expect(error.reason.contains(reason), "\(error)")
        }
    }

    @Test func theLargestSizeIsJustBelowTwoToTheSixtyTwo() throws {
        #expect(try ByteCount.parse("\((1 << 62) - 1)") == (1 << 62) - 1)
        #expect(ByteCount.value("\(1 << 62)") == nil)
    }

    @Test func textForPeople() {
        #expect(ByteCount.text(512) == "512 B")
        #expect(ByteCount.text(1536) == "1.50 KiB")
        #expect(ByteCount.text(2 << 20) == "2.00 MiB")
    }
}
