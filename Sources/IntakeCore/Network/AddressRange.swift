/// A CIDR block (`10.0.0.0/8`, `2001:db8::/32`, or one address), for `--trusted-proxy`.
///
/// ```swift
/// let proxies = AddressRange("10.0.0.0/8")!
/// proxies.contains(IPAddress("10.1.2.3")!)   // true
/// ```
package struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    package let network: IPAddress
    /// Leading bits that must match, counted on the 16-byte form (an IPv4 /8 is 104).
    package let prefixLength: Int

    package init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let maximum = address.isIPv4 ? 32 : 128
        var length = maximum
        if parts.count == 2 {
            // Digits only, and never /0: a proxy range of everyone would let any client write its own address.
            guard !parts[1].isEmpty, parts[1].allSatisfy(\.isASCIIDigit), let given = Int(parts[1]), (1...maximum).contains(given)
            else { return nil }
            length = given
        }
        self.prefixLength = length + (address.isIPv4 ? 96 : 0)
        self.network = address.masked(to: prefixLength)
    }

    package func contains(_ address: IPAddress) -> Bool {
        address.masked(to: prefixLength) == network
    }

    package var description: String {
        "\(network)/\(network.isIPv4 ? prefixLength - 96 : prefixLength)"
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
