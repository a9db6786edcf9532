#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's open-file limit, raised when the connection limit needs more: each connection is
/// a descriptor, and the database, logs and listeners need some of their own.
enum FileDescriptorLimit {
    /// Descriptors kept for everything that is not a client connection.
    static let reserve = 256

    /// The connection limit this process can honour: `wanted` when the soft limit allows it
    /// (raising it towards the hard limit if needed), less otherwise.
    static func connections(wanted: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return wanted }
        let needed = rlim_t(wanted + reserve)
        if limit.rlim_cur < needed {
            limit.rlim_cur = min(needed, limit.rlim_max)
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return max(1, min(wanted, Int(clamping: limit.rlim_cur) - reserve))
    }
}
