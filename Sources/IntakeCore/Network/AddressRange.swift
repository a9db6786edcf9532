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
            guard let given = Int(parts[1]), (0...maximum).contains(given), parts[1].allSatisfy(\.isASCII) else { return nil }
            length = given
        }
        self.prefixLength = length + (address.isIPv4 ? 96 : 0)
        self.network = Self.masked(address, to: prefixLength)
    }

    package func contains(_ address: IPAddress) -> Bool {
        Self.masked(address, to: prefixLength) == network
    }

    package var description: String {
        "\(network)/\(network.isIPv4 ? prefixLength - 96 : prefixLength)"
    }

    private static func masked(_ address: IPAddress, to length: Int) -> IPAddress {
        func mask(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? .max : ~(UInt64.max >> UInt64(bits)) }
        let high = address.bytes.high & mask(length)
        let low = address.bytes.low & mask(length - 64)
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) } + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        return IPAddress(bytes: bytes)
    }
}
