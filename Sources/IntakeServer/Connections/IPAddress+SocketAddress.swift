import IntakeCore
import NIOCore

extension IPAddress {
    /// The address of an IPv4 or IPv6 socket address; nil for a Unix domain socket.
    ///
    /// Read from the raw `sockaddr_in` / `sockaddr_in6` layout (the address after the family and
    /// port, and for IPv6 the flow label), which POSIX fixes: no string is formed.
    init?(socketAddress: SocketAddress) {
        switch socketAddress {
        case .v4(let address):
            let octets = withUnsafeBytes(of: address.address) { Array($0[4..<8]) }
            self.init(ipv4: (octets[0], octets[1], octets[2], octets[3]))
        case .v6(let address):
            self.init(bytes: withUnsafeBytes(of: address.address) { Array($0[8..<24]) })
        case .unixDomainSocket:
            return nil
        }
    }
}
