import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owner-only modes for the SQLite files, which hold client secret hashes, the token signing key
/// and every event: the directory is created 0700 and the database file 0600, whatever the umask.
///
/// SQLite creates `-wal` and `-shm` with the mode of the database file (its unix VFS copies it
/// and `fchmod`s past the umask), so a database file created 0600 keeps its companions at 0600
/// too; ``tighten(_:)`` still sets them afterwards in case another SQLite build behaves otherwise.
///
/// Existing files are never changed behind the operator's back, only reported by ``warnings(forDatabaseAt:)``.
///
/// ```swift
/// let created = try DatabaseFilePermissions.createIfAbsent(databaseAt: path)
/// for warning in DatabaseFilePermissions.warnings(forDatabaseAt: path) { logger.warning("\(warning)") }
/// ```
package enum DatabaseFilePermissions {
    package static let directoryMode: mode_t = 0o700
    package static let fileMode: mode_t = 0o600
    /// Group or others may read or write.
    static let looseBits: mode_t = 0o066

    /// The database file and the two SQLite keeps beside it in WAL mode.
    package static func files(forDatabaseAt path: String) -> [String] {
        [path, path + "-wal", path + "-shm"]
    }

    /// Creates the directory (0700) and an empty database file (0600) unless the file exists;
    /// true when this call created the file. An empty file is a valid empty SQLite database.
    package static func createIfAbsent(databaseAt path: String) throws -> Bool {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: directory.path) {
            // Foundation creates the directory and then sets the attributes, so the umask does not apply.
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: Int(directoryMode)])
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        guard descriptor >= 0 else {
            if errno == EEXIST { return false }
            throw CocoaError(.fileWriteUnknown, userInfo: [
                NSFilePathErrorKey: path,
                NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(errno)),
            ])
        }
        defer { close(descriptor) }
        // open(2) applies the umask, which could take bits away from the owner too (umask 0277).
        _ = fchmod(descriptor, fileMode)
        return true
    }

    /// Sets every existing database file of `path` to 0600.
    package static func tighten(_ path: String) {
        for file in files(forDatabaseAt: path) {
            _ = chmod(file, fileMode)
        }
    }

    /// One line per existing database file or directory that group or others may read or write,
    /// naming the path and the command that fixes it.
    package static func warnings(forDatabaseAt path: String) -> [String] {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var warnings: [String] = []
        if let mode = mode(of: directory), mode & looseBits != 0 {
            warnings.append(warning(directory, mode: mode, fix: "chmod 700"))
        }
        for file in files(forDatabaseAt: path) {
            if let mode = mode(of: file), mode & looseBits != 0 {
                warnings.append(warning(file, mode: mode, fix: "chmod 600"))
            }
        }
        return warnings
    }

    /// The permission bits of `path`, nil when it does not exist.
    package static func mode(of path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o777
    }

    private static func warning(_ path: String, mode: mode_t, fix: String) -> String {
        let octal = String(mode, radix: 8)
        return "\(path) is readable or writable by group or others (mode 0\(octal)); fix with: \(fix) \(shellQuoted(path))"
    }

    /// `path` as one shell word, so the printed fix can be pasted even for paths with spaces.
    private static func shellQuoted(_ path: String) -> String {
        let plain = path.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) && $0.isASCII || "/._-+,:@%".unicodeScalars.contains($0)
        }
        return plain ? path : "'" + path.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
