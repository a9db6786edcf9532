#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain TCP connection to a loopback port, for requests no HTTP client would send (no `Host`,
/// HTTP/1.0, a body that never comes) and for seeing exactly when the server closes.
///
/// ```swift
/// let connection = try RawConnection(port: port)
/// try connection.send("GET /health HTTP/1.0\r\n\r\n")
/// let answer = connection.readUntilClosed(timeout: .seconds(3))
/// ```
package final class RawConnection {
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    private let socket: Int32

    /// A connection to `127.0.0.1:port`, from the local address `source` when given (any other
    /// loopback address, such as `127.0.0.2`, stands for another host).
    package init(port: Int, from source: String? = nil) throws {
        #if canImport(Glibc)
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        socket = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard socket >= 0 else { throw Failure(description: "socket() failed") }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                close(socket)
                throw Failure(description: "bind() to \(source) failed")
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socket)
            throw Failure(description: "connect() to port \(port) failed")
        }
    }

    deinit { close(socket) }

    package func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { write(socket, $0.baseAddress! + sent, $0.count - sent) }
            guard count > 0 else { throw Failure(description: "write() failed") }
            sent += count
        }
    }

    /// Bytes read until `predicate` holds for what was read so far, the server closes, or `timeout`
    /// passes; `closed` says whether the server closed the connection. Polls without blocking, so
    /// that the server's own tasks keep the (small) cooperative thread pool.
    package func read(
        timeout: Duration, until predicate: (String) -> Bool = { _ in false }
    ) async -> (text: String, closed: Bool) {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while clock.now < deadline {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else {
                try? await Task.sleep(for: .milliseconds(10))
                continue
            }
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return (String(decoding: received, as: UTF8.self), true) }
            received += buffer[..<count]
            let text = String(decoding: received, as: UTF8.self)
            if predicate(text) { return (text, false) }
        }
        return (String(decoding: received, as: UTF8.self), false)
    }
}
