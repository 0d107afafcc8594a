import Foundation

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
    /// Reads a problem from a file.
    public static func read(contentsOf path: String, capacity: Int? = nil) throws(BufferCSVError) -> AllocationProblem {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw BufferCSVError(file: path, line: nil, message: "cannot read the file (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw BufferCSVError(file: path, line: firstLineNotUTF8(data), message: "the file is not UTF-8 text")
        }
        return try parse(text, file: path, capacity: capacity)
    }

    /// Parses a problem; `file` names the source in errors. O(n).
    public static func parse(_ text: String, file: String = "<input>", capacity: Int? = nil) throws(BufferCSVError) -> AllocationProblem {
        var columns: [Column: Int]?
        var width = 0
        var buffers: [Buffer] = []
        var lineOfID: [String: Int] = [:]
        var lineNumber = 0
        // "\r\n" is one Character in Swift, so it separates lines too.
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields: [String]
            do {
                fields = try splitFields(line)
            } catch {
                throw BufferCSVError(file: file, line: lineNumber, message: error.message)
            }
            guard let columns else {
                columns = try header(fields, file: file, line: lineNumber)
                width = fields.count
                continue
            }
            if fields.count != width {
                throw BufferCSVError(file: file, line: lineNumber, message: "expected \(width) fields, found \(fields.count)")
            }
            func integer(_ column: Column) throws(BufferCSVError) -> Int? {
                guard let k = columns[column] else { return nil }
                let field = fields[k]
                if field.isEmpty {
                    if column == .alignment || column == .offset { return nil }
                    throw BufferCSVError(file: file, line: lineNumber, message: "\(column.rawValue) is empty")
                }
                guard let value = Int(field) else {
                    throw BufferCSVError(file: file, line: lineNumber,
                                         message: "\(column.rawValue) \(shown(field)) is not an integer (or does not fit in 64 bits)")
                }
                return value
            }
            let id = fields[columns[.id]!]
            if id.isEmpty { throw BufferCSVError(file: file, line: lineNumber, message: "id is empty") }
            if id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                throw BufferCSVError(file: file, line: lineNumber, message: "id \(shown(id)) contains a control character")
            }
            let buffer = Buffer(
                id: id, lower: try integer(.lower)!, upper: try integer(.upper)!, size: try integer(.size)!,
                alignment: try integer(.alignment) ?? 1, fixedOffset: try integer(.offset))
            if let defect = buffer.defect {
                throw BufferCSVError(file: file, line: lineNumber, message: "buffer '\(id)': \(defect)")
            }
            if let previous = lineOfID[id] {
                throw BufferCSVError(file: file, line: lineNumber, message: "buffer id \(shown(id)) already used on line \(previous)")
            }
            lineOfID[id] = lineNumber
            buffers.append(buffer)
        }
        if columns == nil {
            throw BufferCSVError(file: file, line: nil, message: "no header line (expected id,lower,upper,size[,alignment][,offset])")
        }
        let problem = AllocationProblem(buffers: buffers, capacity: capacity)
        do {
            try problem.validate()
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
        var out = aligned ? "id,lower,upper,size,alignment,offset\n" : "id,lower,upper,size,offset\n"
        out.reserveCapacity(problem.buffers.count * 32)
        for (i, b) in problem.buffers.enumerated() {
            out += quoted(b.id)
            out += ",\(b.lower),\(b.upper),\(b.size),"
            if aligned { out += "\(b.alignment)," }
            out += i < offsets.count ? "\(offsets[i])\n" : "\n"
        }
        return out
    }

    /// The problem as input CSV (fixed offsets in the `offset` column).
    public static func write(_ problem: AllocationProblem) -> String {
        let aligned = problem.buffers.contains { $0.alignment != 1 }
        let fixed = problem.buffers.contains { $0.fixedOffset != nil }
        var out = "id,lower,upper,size" + (aligned ? ",alignment" : "") + (fixed ? ",offset" : "") + "\n"
        for b in problem.buffers {
            out += quoted(b.id) + ",\(b.lower),\(b.upper),\(b.size)"
            if aligned { out += ",\(b.alignment)" }
            if fixed { out += "," + (b.fixedOffset.map(String.init) ?? "") }
            out += "\n"
        }
        return out
    }

    // MARK: Implementation

    enum Column: String, CaseIterable {
        case id, lower, upper, size, alignment, offset

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

    /// Splits a line at commas; fields are trimmed, and a field may be
    /// quoted with `"` (a doubled quote inside stands for one).
    static func splitFields(_ line: Substring) throws(FieldError) -> [String] {
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var wasQuoted = false
        var chars = line.makeIterator()
        var pending: Character? = nil
        func nextChar() -> Character? {
            if let p = pending { pending = nil; return p }
            return chars.next()
        }
        while let c = nextChar() {
            if inQuotes {
                if c == "\"" {
                    if let d = chars.next() {
                        if d == "\"" { field.append("\"") } else { inQuotes = false; pending = d }
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == "," {
                fields.append(wasQuoted ? field : field.trimmingCharacters(in: .whitespaces))
                field = ""
                wasQuoted = false
            } else if c == "\"" && field.trimmingCharacters(in: .whitespaces).isEmpty && !wasQuoted {
                field = ""
                inQuotes = true
                wasQuoted = true
            } else if wasQuoted {
                if !c.isWhitespace { throw FieldError(message: "unexpected text after a quoted field") }
            } else {
                field.append(c)
            }
        }
        if inQuotes { throw FieldError(message: "unterminated quoted field") }
        fields.append(wasQuoted ? field : field.trimmingCharacters(in: .whitespaces))
        return fields
    }

    static func quoted(_ id: String) -> String {
        guard id.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || id != id.trimmingCharacters(in: .whitespaces) else { return id }
        return "\"" + id.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// A bad buffer CSV: what is wrong, in which file, on which line.
public struct BufferCSVError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)"
    }
}
