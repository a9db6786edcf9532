/// The client's address behind trusted proxies: the peer of the connection, unless it is a
/// trusted proxy, in which case `X-Forwarded-For` is read from the right, past every trusted
/// hop, to the first address a trusted proxy vouches for. Entries left of that are whatever the
/// client wrote and are never believed.
///
/// ```swift
/// let source = ForwardedFor.clientAddress(peer: peer, header: request.headers[.xForwardedFor], trusted: proxies)
/// ```
package enum ForwardedFor {
    package static func clientAddress(peer: IPAddress, headers: [String], trusted: [AddressRange]) -> IPAddress {
        guard !trusted.isEmpty, isTrusted(peer, trusted) else { return peer }
        var hops: [Substring] = []
        for header in headers { hops += header.split(separator: ",") }
        var address = peer
        for hop in hops.reversed() {
            guard let parsed = IPAddress(hop.trimmingSpaces) else { return address }
            address = parsed
            if !isTrusted(parsed, trusted) { return parsed }
        }
        return address
    }

    private static func isTrusted(_ address: IPAddress, _ trusted: [AddressRange]) -> Bool {
        trusted.contains { $0.contains(address) }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}
