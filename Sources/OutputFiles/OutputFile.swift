import Foundation

/// The one way Stowage writes a file the user named as an output (a plan,
/// a picture, a CSV, a converted model, bench results).
///
/// Two promises: nothing but the named file changes, and a reader never sees
/// half of it. So a path is checked before any work starts (``check(_:)``),
/// and written by ``write(_:to:)`` into a fresh temporary file beside it,
/// flushed to disk and renamed over the target. Refused, with a one-line
/// reason: a directory, a device, pipe or socket (renaming over `/dev/full`
/// as root would replace the device node), a missing or unwritable folder,
/// an existing file that cannot be written. Nothing is ever deleted, except
/// the temporary file of a write that failed. A symbolic link is followed:
/// the file it points to is replaced, and the link stays.
public enum OutputFile {
    /// Why a path cannot be written.
    public struct Error: Swift.Error, CustomStringConvertible, Equatable, Sendable {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Checks that `path` can be written as a regular file, without
    /// creating or changing anything. Call it before the work whose result
    /// goes there. O(1) system calls.
    public static func check(_ path: String) throws(Error) {
        _ = try resolvedTarget(path)
    }

    /// Writes `data` to `path` atomically (see the type's documentation).
    /// An existing file keeps its permission bits.
    public static func write(_ data: Data, to path: String) throws(Error) {
        let target = try resolvedTarget(path)
        let folder = (target.path as NSString).deletingLastPathComponent
        let name = (target.path as NSString).lastPathComponent
        let temporary = (folder.isEmpty ? "." : folder) + "/.\(name).stowage-\(getpid())-\(UInt32.random(in: 0 ... .max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, target.mode ?? 0o666)
        guard descriptor >= 0 else {
            throw Error(path: path, reason: "cannot create a file in \(folder.isEmpty ? "." : folder): \(lastSystemError())")
        }
        var failure: String?
        if let mode = target.mode, fchmod(descriptor, mode) != 0 { failure = "cannot set permissions: \(lastSystemError())" }
        if failure == nil { failure = writeAll(data, to: descriptor) }
        if failure == nil, fsync(descriptor) != 0 { failure = "cannot flush: \(lastSystemError())" }
        if close(descriptor) != 0, failure == nil { failure = "cannot close: \(lastSystemError())" }
        if failure == nil, rename(temporary, target.path) != 0 { failure = "cannot replace the file: \(lastSystemError())" }
        if let failure {
            unlink(temporary)
            throw Error(path: path, reason: failure)
        }
    }

    /// As ``write(_:to:)`` for UTF-8 text.
    public static func write(_ text: String, to path: String) throws(Error) {
        try write(Data(text.utf8), to: path)
    }

    /// The file to replace (the link's target for a symbolic link) and the
    /// permission bits of an existing one.
    private static func resolvedTarget(_ path: String) throws(Error) -> (path: String, mode: mode_t?) {
        guard !path.isEmpty else { throw Error(path: path, reason: "an empty path") }
        guard !path.hasSuffix("/") else { throw Error(path: path, reason: "names a folder, not a file") }
        var target = path
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK {
            guard let real = realpath(path, nil) else {
                throw Error(path: path, reason: "a symbolic link to a missing file or folder")
            }
            target = String(cString: real)
            free(real)
        }
        if stat(target, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                guard access(target, W_OK) == 0 else { throw Error(path: path, reason: "the file is not writable") }
                try checkFolder(of: target, path: path)
                return (target, info.st_mode & 0o7777)
            case S_IFDIR:
                throw Error(path: path, reason: "is a folder; name a file inside it")
            case S_IFCHR, S_IFBLK:
                throw Error(path: path, reason: "is a device, not a regular file")
            case S_IFIFO:
                throw Error(path: path, reason: "is a pipe, not a regular file")
            case S_IFSOCK:
                throw Error(path: path, reason: "is a socket, not a regular file")
            default:
                throw Error(path: path, reason: "is not a regular file")
            }
        }
        guard errno == ENOENT else { throw Error(path: path, reason: lastSystemError()) }
        try checkFolder(of: target, path: path)
        return (target, nil)
    }

    /// The folder must exist, be a folder, and take new files.
    private static func checkFolder(of target: String, path: String) throws(Error) {
        let folder = (target as NSString).deletingLastPathComponent
        let directory = folder.isEmpty ? "." : folder
        var info = stat()
        guard stat(directory, &info) == 0 else {
            throw Error(path: path, reason: "the folder \(directory) does not exist")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw Error(path: path, reason: "\(directory) is not a folder")
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            throw Error(path: path, reason: "the folder \(directory) is not writable")
        }
    }

    private static func writeAll(_ data: Data, to descriptor: Int32) -> String? {
        data.withUnsafeBytes { raw -> String? in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return "cannot write: \(lastSystemError())"
                }
                offset += written
            }
            return nil
        }
    }

    private static func lastSystemError() -> String { String(cString: strerror(errno)) }
}
