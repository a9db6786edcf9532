#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as 16 bytes (IPv4 as `::ffff:a.b.c.d`), for throttling by source
/// address and matching trusted proxies, without strings on the hot path.
///
/// ```swift
/// let address = IPAddress("203.0.113.7")
/// AddressRange("203.0.113.0/24")?.contains(address!)   // true
/// ```
package struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    package let bytes: InlineArray16

    /// 16 bytes, stored inline (two words) so that hashing and comparing never allocate.
    package struct InlineArray16: Sendable, Hashable {
        package var high: UInt64
        package var low: UInt64
    }

    package init(bytes: [UInt8]) {
        precondition(bytes.count == 16, "an IPAddress has 16 bytes")
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<8 { high = high << 8 | UInt64(bytes[index]) }
        for index in 8..<16 { low = low << 8 | UInt64(bytes[index]) }
        self.bytes = InlineArray16(high: high, low: low)
    }

    /// An IPv4 address given as its four bytes in network order.
    package init(ipv4 octets: (UInt8, UInt8, UInt8, UInt8)) {
        self.init(bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, octets.0, octets.1, octets.2, octets.3])
    }

    /// Parses dotted IPv4 or any RFC 4291 IPv6 text form (`inet_pton`); brackets are allowed
    /// around IPv6 (`[2001:db8::1]`), and a `:port` after an IPv4 address or a bracketed IPv6.
    package init?(_ text: some StringProtocol) {
        var text = Substring(text)
        func isPort(_ suffix: Substring) -> Bool {
            suffix.count >= 2 && suffix.count <= 6 && suffix.first == ":" && suffix.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
        }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || isPort(rest) else { return nil }
            text = text[text.index(after: text.startIndex)..<close]
            guard text.contains(":") else { return nil }
        } else if let colon = text.firstIndex(of: ":"), text.filter({ $0 == ":" }).count == 1 {
            guard isPort(text[colon...]) else { return nil }
            text = text[..<colon]
        }
        guard !text.isEmpty, text.utf8.count <= 45,
            text.utf8.allSatisfy({ $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") || Character(Unicode.Scalar($0)).isHexDigit })
        else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, String(text), &v4) == 1 {
            let value = UInt32(bigEndian: v4.s_addr)
            self.init(ipv4: (UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)))
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, String(text), &v6) == 1 else { return nil }
        self.init(bytes: withUnsafeBytes(of: &v6) { Array($0) })
    }

    package var isIPv4: Bool { bytes.high == 0 && bytes.low >> 32 == 0xFFFF }

    /// The address with all but its first `length` bits (of the 16-byte form) cleared.
    package func masked(to length: Int) -> IPAddress {
        func mask(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? .max : ~(UInt64.max >> UInt64(bits)) }
        return IPAddress(words: InlineArray16(high: bytes.high & mask(length), low: bytes.low & mask(length - 64)))
    }

    /// What one host is taken to hold, for budgets per source: an IPv4 address itself, and for
    /// IPv6 its whole /64, which a single subscriber or machine is usually given (RFC 6177), so
    /// that one holder cannot take a budget per address of its /64.
    package var accountingPrefix: IPAddress { isIPv4 ? self : masked(to: 64) }

    private init(words: InlineArray16) { self.bytes = words }

    package var description: String {
        let all = (0..<8).map { UInt8(truncatingIfNeeded: bytes.high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: bytes.low >> (56 - 8 * $0)) }
        if isIPv4 { return all[12...].map(String.init).joined(separator: ".") }
        var storage = in6_addr()
        withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: all) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &storage, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
