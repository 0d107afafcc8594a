import Foundation

/// Runs C code that prints to the process's standard output with file
/// descriptor 1 pointed into a pipe, and hands every line printed to
/// `onLine` (on a reader thread). A caller's stdout (JSON for scripts, say)
/// thus never receives solver chatter: CBC's driver writes with `printf`
/// whatever its log level, and its progress exists only as text.
///
/// Process-wide: other threads' writes to stdout during `body` are captured
/// too. Callers serialise it (CBC solves hold a lock).
enum OutputRedirection {
    static func capturingStandardOutput<T>(onLine: @escaping @Sendable (String) -> Void, _ body: () -> T) -> T {
        var ends: [Int32] = [0, 0]
        fflush(nil)
        guard pipe(&ends) == 0 else { return body() }
        let (readEnd, writeEnd) = (ends[0], ends[1])
        let saved = dup(STDOUT_FILENO)
        guard saved >= 0, dup2(writeEnd, STDOUT_FILENO) >= 0 else {
            [readEnd, writeEnd, saved].filter { $0 >= 0 }.forEach { close($0) }
            return body()
        }
        close(writeEnd)
        let finished = DispatchSemaphore(value: 0)
        let reader = Thread {
            LineReader(descriptor: readEnd).forEachLine(onLine)
            close(readEnd)
            finished.signal()
        }
        reader.start()
        let result = body()
        fflush(nil)
        dup2(saved, STDOUT_FILENO) // closes the pipe's last write end: the reader sees EOF
        close(saved)
        finished.wait()
        return result
    }
}

/// Splits what arrives on a file descriptor into lines.
struct LineReader {
    let descriptor: Int32

    func forEachLine(_ handle: (String) -> Void) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            pending.append(contentsOf: buffer[0 ..< count])
            while let newline = pending.firstIndex(of: 10) {
                handle(String(decoding: pending[..<newline], as: UTF8.self))
                pending.removeSubrange(...newline)
            }
        }
        if !pending.isEmpty { handle(String(decoding: pending, as: UTF8.self)) }
    }
}
