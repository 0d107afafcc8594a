import Foundation
import MILP

/// The buffer CSV format: a header naming the columns, then one buffer per
/// line.
///
/// ```
/// id,lower,upper,size,alignment,offset
/// x0,0,3,1024,64,
/// w,0,9,4096,64,0
/// ```
///
/// `id`, `lower`, `upper` and `size` are required (lifetimes half-open,
/// `[lower, upper)`); `alignment` (default 1) and `offset` (a fixed offset;
/// empty when free) are optional; columns may come in any order. Blank lines
/// and lines starting with `#` are ignored. An id may be quoted ("a,b",
/// with `""` for a quote). Every error names the file and line.
public enum BufferCSV {
    /// Reads a problem from a file; with a `deadline`, stops with an error
    /// whose ``BufferCSVError/timeLimitPassed`` is set once it has passed.
    public static func read(contentsOf path: String, capacity: Int? = nil, deadline: Deadline? = nil) throws(BufferCSVError) -> AllocationProblem {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw BufferCSVError(file: path, line: nil, message: "cannot read the file (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw BufferCSVError(file: path, line: firstLineNotUTF8(data), message: "the file is not UTF-8 text")
        }
        return try parse(text, file: path, capacity: capacity, deadline: deadline)
    }

    /// Parses a problem; `file` names the source in errors. O(n) in the
    /// length of the text: lines and fields are scanned as UTF-8 bytes and
    /// numbers read from them directly, so 200,000 buffers take a fraction
    /// of a second. The deadline, if any, is looked at every
    /// ``deadlineStride`` lines.
    public static func parse(_ text: String, file: String = "<input>", capacity: Int? = nil,
                             deadline: Deadline? = nil) throws(BufferCSVError) -> AllocationProblem {
        let parsing = Stopwatch()
        var columns: [Column: Int]?
        var width = 0
        let bytes = Array(text.utf8)
        let lines = bytes.reduce(into: 1) { count, byte in if byte == 0x0A { count += 1 } }
        var buffers: [Buffer] = []
        buffers.reserveCapacity(lines)
        var lineOfID: [String: Int] = [:]
        lineOfID.reserveCapacity(lines)
        var lineNumber = 0
        // Field positions of the columns, read once from the header (-1: absent).
        var at = [Int](repeating: -1, count: Column.allCases.count)
        var start = 0
        var fields: [ArraySlice<UInt8>] = []
        while start < bytes.count || (start == bytes.count && lineNumber == 0) {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            lineNumber += 1
            if lineNumber % deadlineStride == 0, let left = deadline?.remaining, left <= unwindShare * parsing.seconds + exitSeconds {
                throw BufferCSVError(file: file, line: lineNumber, message: "the time limit passed while reading this file (at line \(lineNumber))",
                                     timeLimitPassed: true)
            }
            var line = bytes[start ..< end]
            start = end + 1
            if line.last == 0x0D { line = line.dropLast() }
            let trimmed = trimmed(line)
            if trimmed.isEmpty || trimmed.first == UInt8(ascii: "#") { continue }
            do {
                try splitFields(line, into: &fields)
            } catch {
                throw BufferCSVError(file: file, line: lineNumber, message: error.message)
            }
            guard columns != nil else {
                let header = try header(fields.map { String(decoding: $0, as: UTF8.self) }, file: file, line: lineNumber)
                for (k, column) in Column.allCases.enumerated() { at[k] = header[column] ?? -1 }
                columns = header
                width = fields.count
                continue
            }
            if fields.count != width {
                throw BufferCSVError(file: file, line: lineNumber, message: "expected \(width) fields, found \(fields.count)")
            }
            func integer(_ column: Column) throws(BufferCSVError) -> Int? {
                let k = at[column.position]
                if k < 0 { return nil }
                let field = fields[k]
                if field.isEmpty {
                    if column == .alignment || column == .offset { return nil }
                    throw BufferCSVError(file: file, line: lineNumber, message: "\(column.rawValue) is empty")
                }
                guard let value = Self.integer(field) else {
                    throw BufferCSVError(file: file, line: lineNumber,
                                         message: "\(column.rawValue) \(shown(String(decoding: field, as: UTF8.self))) is not an integer (or does not fit in 64 bits)")
                }
                return value
            }
            let idBytes = fields[at[Column.id.position]]
            let id = String(decoding: idBytes, as: UTF8.self)
            if id.isEmpty { throw BufferCSVError(file: file, line: lineNumber, message: "id is empty") }
            if Self.hasControlCharacter(idBytes) {
                throw BufferCSVError(file: file, line: lineNumber, message: "id \(shown(id)) contains a control character")
            }
            let buffer = Buffer(
                id: id, lower: try integer(.lower)!, upper: try integer(.upper)!, size: try integer(.size)!,
                alignment: try integer(.alignment) ?? 1, fixedOffset: try integer(.offset))
            if let defect = buffer.defect {
                throw BufferCSVError(file: file, line: lineNumber, message: "buffer \(shown(id)): \(defect)")
            }
            if let previous = lineOfID.updateValue(lineNumber, forKey: id) {
                throw BufferCSVError(file: file, line: lineNumber, message: "buffer id \(shown(id)) already used on line \(previous)")
            }
            buffers.append(buffer)
        }
        if columns == nil {
            throw BufferCSVError(file: file, line: nil, message: "no header line (expected id,lower,upper,size[,alignment][,offset])")
        }
        let problem = AllocationProblem(buffers: buffers, capacity: capacity)
        do {
            // `lineOfID` has already refused repeated ids.
            try problem.validate(checkingIDs: false)
        } catch {
            // Name the line of the buffer at fault (the later one of two pins).
            var line: Int?
            switch error {
            case .overlappingPins(let a, let b):
                line = max(lineOfID[a.id] ?? 0, lineOfID[b.id] ?? 0)
                let message = "\(error.description) (lines \(lineOfID[a.id] ?? 0) and \(lineOfID[b.id] ?? 0))"
                throw BufferCSVError(file: file, line: line, message: message)
            case .pinBeyondCapacity(let b, _): line = lineOfID[b.id]
            case .invalidBuffer(let id, _), .duplicateID(let id): line = lineOfID[id]
            case .tooLarge, .invalidCapacity, .mismatch: line = nil
            }
            throw BufferCSVError(file: file, line: line, message: error.description)
        }
        return problem
    }

    /// The problem's rows with their offsets: header
    /// `id,lower,upper,size,offset`, plus an `alignment` column before
    /// `offset` when some alignment is not 1, so that the output read back
    /// is the same problem with every offset fixed. O(n).
    public static func write(_ problem: AllocationProblem, offsets: [Int]) -> String {
        let aligned = problem.buffers.contains { $0.alignment != 1 }
        var out = CSVText(header: aligned ? "id,lower,upper,size,alignment,offset" : "id,lower,upper,size,offset",
                          rows: problem.count)
        for (i, b) in problem.buffers.enumerated() {
            out.row(b.id, [b.lower, b.upper, b.size] + (aligned ? [b.alignment] : []), last: .some(i < offsets.count ? offsets[i] : nil))
        }
        return out.text
    }

    /// The problem as input CSV (fixed offsets in the `offset` column).
    public static func write(_ problem: AllocationProblem) -> String {
        let aligned = problem.buffers.contains { $0.alignment != 1 }
        let fixed = problem.buffers.contains { $0.fixedOffset != nil }
        var out = CSVText(header: "id,lower,upper,size" + (aligned ? ",alignment" : "") + (fixed ? ",offset" : ""), rows: problem.count)
        for b in problem.buffers {
            if fixed {
                out.row(b.id, [b.lower, b.upper, b.size] + (aligned ? [b.alignment] : []), last: b.fixedOffset)
            } else {
                out.row(b.id, [b.lower, b.upper, b.size] + (aligned ? [b.alignment] : []))
            }
        }
        return out.text
    }

    /// CSV built as UTF-8 bytes: integers written digit by digit, ids quoted
    /// only when they must be. O(length of the output).
    struct CSVText {
        private var bytes: [UInt8] = []

        init(header: String, rows: Int) {
            bytes.reserveCapacity(header.utf8.count + 1 + rows * 40)
            bytes.append(contentsOf: header.utf8)
            bytes.append(0x0A)
        }

        /// `id,v0,v1,…`, then `,last` (empty when nil) if `last` is given.
        mutating func row(_ id: String, _ values: [Int], last: Int?? = .none) {
            appendID(id)
            for v in values {
                bytes.append(UInt8(ascii: ","))
                append(v)
            }
            if case .some(let value) = last {
                bytes.append(UInt8(ascii: ","))
                if let value { append(value) }
            }
            bytes.append(0x0A)
        }

        private mutating func append(_ value: Int) {
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            var magnitude = value.magnitude
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                         UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var count = 0
            withUnsafeMutableBytes(of: &digits) { d in
                repeat {
                    d[count] = UInt8(magnitude % 10) + 48
                    magnitude /= 10
                    count += 1
                } while magnitude > 0
                for k in stride(from: count - 1, through: 0, by: -1) { bytes.append(d[k]) }
            }
        }

        private mutating func appendID(_ id: String) {
            let utf8 = id.utf8
            let needsQuotes = utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
                || utf8.first.map(BufferCSV.isBlank) == true || utf8.last.map(BufferCSV.isBlank) == true
            guard needsQuotes else {
                bytes.append(contentsOf: utf8)
                return
            }
            bytes.append(UInt8(ascii: "\""))
            for byte in utf8 {
                if byte == UInt8(ascii: "\"") { bytes.append(byte) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }

        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    // MARK: Implementation

    /// Lines read between two looks at the deadline (about 10 ms of reading).
    static let deadlineStride = 4_096
    /// Stopping frees what was read (the ids above all): 0.09 s after 0.31 s
    /// of parsing 196,673 lines under two spinning threads, so the parser
    /// stops once the time left is below this share of its time so far, and
    /// the caller still sees the error by the deadline (with 0.35, 2 of 6
    /// runs at `--time-limit 0.5` still ended 0.02 s late). Stopping early
    /// costs no answer: a caller left with less time than the reading took
    /// has none for placing, checking and writing the buffers either.
    static let unwindShare = 0.5
    /// And this much for the caller's message and the process's exit (with
    /// the share alone, 2 of 9 runs at 0.5 s ended 0.011-0.012 s late).
    static let exitSeconds = 0.02

    enum Column: String, CaseIterable {
        case id, lower, upper, size, alignment, offset

        /// The index among `allCases`.
        var position: Int {
            switch self {
            case .id: return 0
            case .lower: return 1
            case .upper: return 2
            case .size: return 3
            case .alignment: return 4
            case .offset: return 5
            }
        }

        /// A header name, case-insensitive; minimalloc's `buffer`, `start`
        /// and `end` stand for `id`, `lower` and `upper`.
        init?(header: String) {
            switch header.lowercased() {
            case "buffer": self = .id
            case "start": self = .lower
            case "end": self = .upper
            case let name: self.init(rawValue: name)
            }
        }
    }

    /// A field as error messages quote it: control characters escaped,
    /// at most 40 characters, so that a message stays on one line.
    static func shown(_ field: String) -> String {
        var text = ""
        for scalar in field.unicodeScalars.prefix(40) {
            text += scalar.properties.generalCategory == .control ? scalar.escaped(asASCII: true) : String(scalar)
        }
        return "'" + text + (field.unicodeScalars.count > 40 ? "…" : "") + "'"
    }

    /// The first line (1-based) holding bytes that are not UTF-8.
    static func firstLineNotUTF8(_ data: Data) -> Int? {
        var line = 1
        var start = data.startIndex
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: 0x0A) ?? data.endIndex
            if String(data: data[start ..< end], encoding: .utf8) == nil { return line }
            line += 1
            start = end < data.endIndex ? data.index(after: end) : end
        }
        return nil
    }

    private static func header(_ fields: [String], file: String, line: Int) throws(BufferCSVError) -> [Column: Int] {
        var columns: [Column: Int] = [:]
        for (k, field) in fields.enumerated() {
            guard let column = Column(header: field) else {
                throw BufferCSVError(file: file, line: line,
                                     message: "unknown column \(shown(field)) (expected id,lower,upper,size and optionally alignment, offset)")
            }
            if columns[column] != nil { throw BufferCSVError(file: file, line: line, message: "column \(shown(field)) appears twice") }
            columns[column] = k
        }
        for required in [Column.id, .lower, .upper, .size] where columns[required] == nil {
            throw BufferCSVError(file: file, line: line, message: "missing column '\(required.rawValue)' in the header")
        }
        return columns
    }

    struct FieldError: Error { var message: String }

    /// Splits a line at commas into `fields` (cleared first); fields are
    /// trimmed of spaces and tabs, and a field may be quoted with `"` (a
    /// doubled quote inside stands for one; a quote inside an unquoted
    /// field is text). O(length).
    static func splitFields(_ line: ArraySlice<UInt8>, into fields: inout [ArraySlice<UInt8>]) throws(FieldError) {
        fields.removeAll(keepingCapacity: true)
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ",")
        var k = line.startIndex
        while true {
            // One field from k.
            var a = k
            while a < line.endIndex && isBlank(line[a]) { a += 1 }
            if a < line.endIndex && line[a] == quote {
                var value: [UInt8] = []
                var p = a + 1
                var closed = false
                while p < line.endIndex {
                    if line[p] == quote {
                        if p + 1 < line.endIndex && line[p + 1] == quote {
                            value.append(quote)
                            p += 2
                            continue
                        }
                        closed = true
                        p += 1
                        break
                    }
                    value.append(line[p])
                    p += 1
                }
                if !closed { throw FieldError(message: "unterminated quoted field") }
                while p < line.endIndex && line[p] != comma {
                    if !isBlank(line[p]) { throw FieldError(message: "unexpected text after a quoted field") }
                    p += 1
                }
                fields.append(value[...])
                if p >= line.endIndex { return }
                k = p + 1
            } else {
                var b = k
                while b < line.endIndex && line[b] != comma { b += 1 }
                fields.append(trimmed(line[k ..< b]))
                if b >= line.endIndex { return }
                k = b + 1
            }
        }
    }

    @inline(__always)
    static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// C0 and C1 control characters (U+0000–U+001F, U+007F–U+009F) in UTF-8.
    static func hasControlCharacter(_ bytes: ArraySlice<UInt8>) -> Bool {
        var k = bytes.startIndex
        while k < bytes.endIndex {
            let b = bytes[k]
            if b < 0x20 || b == 0x7F { return true }
            if b == 0xC2 && k + 1 < bytes.endIndex && bytes[k + 1] >= 0x80 && bytes[k + 1] <= 0x9F { return true }
            k += 1
        }
        return false
    }

    /// The bytes without leading and trailing spaces and tabs.
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var a = bytes.startIndex, b = bytes.endIndex
        while a < b && isBlank(bytes[a]) { a += 1 }
        while b > a && isBlank(bytes[b - 1]) { b -= 1 }
        return bytes[a ..< b]
    }

    /// A decimal integer with an optional sign, as `Int(_:)` reads it; nil
    /// for anything else or beyond 64 bits. O(length).
    static func integer(_ bytes: ArraySlice<UInt8>) -> Int? {
        var k = bytes.startIndex
        var negative = false
        if k < bytes.endIndex && (bytes[k] == UInt8(ascii: "-") || bytes[k] == UInt8(ascii: "+")) {
            negative = bytes[k] == UInt8(ascii: "-")
            k += 1
        }
        guard k < bytes.endIndex else { return nil }
        // Accumulated negatively, so that Int.min is readable.
        var value = 0
        while k < bytes.endIndex {
            let digit = Int(bytes[k]) - 48
            guard digit >= 0 && digit <= 9 else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (minus, o2) = times.subtractingReportingOverflow(digit)
            if o1 || o2 { return nil }
            value = minus
            k += 1
        }
        if negative { return value }
        let (positive, overflow) = (0).subtractingReportingOverflow(value)
        return overflow ? nil : positive
    }
}

/// A bad buffer CSV: what is wrong, in which file, on which line.
public struct BufferCSVError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String
    /// The file was fine as far as it was read, but the caller's deadline
    /// passed first: no answer rather than bad input.
    public var timeLimitPassed: Bool

    public init(file: String, line: Int?, message: String, timeLimitPassed: Bool = false) {
        self.file = file
        self.line = line
        self.message = message
        self.timeLimitPassed = timeLimitPassed
    }

    public var description: String {
        line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)"
    }
}
