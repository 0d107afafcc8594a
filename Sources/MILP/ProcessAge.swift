#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// How long the running process has existed, from the kernel's record of
/// its start.
///
/// A command's `--time-limit` is wall clock for the whole command, and the
/// whole command begins when the process is started, not when `main` runs:
/// on a loaded machine loading the binary and its libraries takes tenths of
/// a second before any Swift code runs (0.38 s for `stowage --version` at
/// load 9). The commands therefore count their limit from the process's
/// start time. The library's entry points (StowageKit, the C API) count
/// from the call instead: there the call is the command.
public enum ProcessAge {
    /// Seconds since this process started, or nil where the kernel does not
    /// say (no `/proc`). Resolution: one clock tick (10 ms on Linux).
    /// O(1): reads two short files.
    public static var seconds: Double? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let uptime = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8)
        else { return nil }
        #if canImport(Glibc)
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        #else
        let ticksPerSecond = 100.0
        #endif
        guard ticksPerSecond > 0,
              let started = startTicks(stat: stat),
              let sinceBoot = uptime.split(separator: " ").first.flatMap({ Double($0) })
        else { return nil }
        return max(0, sinceBoot - Double(started) / ticksPerSecond)
    }

    /// `limit` less the time the process has already run, for a command's
    /// deadline; never below a microsecond, so that a limit already spent
    /// makes a deadline that has passed (not an invalid option). nil stays
    /// nil (no limit); a limit that is not a positive number (0, -1, NaN)
    /// is handed on as it is, for the option's own check to refuse.
    public static func remaining(of limit: Double?) -> Double? {
        guard let limit, limit > 0, limit.isFinite else { return limit }
        return max(1e-6, limit - (seconds ?? 0))
    }

    /// Field 22 of `/proc/self/stat` (start time in clock ticks after
    /// boot). The command name (field 2) is in parentheses and may hold
    /// spaces or parentheses itself, so fields are counted after the last
    /// `)`, where field 3 begins.
    static func startTicks(stat: String) -> UInt64? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        let index = 22 - 3
        guard fields.count > index else { return nil }
        return UInt64(fields[index])
    }
}
