import IntakeCore
import Testing

@Suite("Addresses, CIDR blocks and X-Forwarded-For")
struct ForwardedForTests {
    @Test(arguments: [
        ("203.0.113.7", "203.0.113.7"), ("203.0.113.7:4431", "203.0.113.7"), ("2001:db8::1", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"), ("::ffff:203.0.113.7", "203.0.113.7"),
    ])
    func addressesParseAndPrint(text: String, shown: String) throws {
        #expect(try #require(IPAddress(text)).description == shown)
    }

    @Test(arguments: [
        "", "256.1.1.1", "1.2.3", "example.com", "2001:db8::1::2", "[2001:db8::1", "1.2.3.4\u{0}", "1.2.3.4:junk", "1.2.3.4:",
        "[::1]junk", "[1.2.3.4]",
    ])
    func garbageIsNoAddress(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func blocksContainWhatTheyShould() throws {
        let v4 = try #require(AddressRange("10.0.0.0/8"))
        #expect(v4.contains(IPAddress("10.255.1.2")!))
        #expect(!v4.contains(IPAddress("11.0.0.1")!))
        #expect(!v4.contains(IPAddress("2001:db8::1")!))
        let v6 = try #require(AddressRange("2001:db8::/32"))
        #expect(v6.contains(IPAddress("2001:db8:ffff::1")!))
        #expect(!v6.contains(IPAddress("2001:db9::1")!))
        #expect(try #require(AddressRange("127.0.0.1")).contains(IPAddress("127.0.0.1")!))
        #expect(AddressRange("10.0.0.0/33") == nil)
        #expect(AddressRange("0.0.0.0/0") == nil, "trusting every peer would let anyone write its own address")
        #expect(AddressRange("::/0") == nil)
        #expect(AddressRange("10.0.0.0/+8") == nil)
        #expect(AddressRange("10.0.0.0/-1") == nil)
        #expect(AddressRange("nonsense/8") == nil)
        #expect(v4.description == "10.0.0.0/8")
    }

    @Test func theRightmostUntrustedHopIsTheClient() {
        let proxy = IPAddress("10.0.0.5")!
        let trusted = [AddressRange("10.0.0.0/8")!]
        // The client wrote the first entry itself; the proxy appended the real peer.
        #expect(ForwardedFor.clientAddress(peer: proxy, headers: ["6.6.6.6, 203.0.113.9"], trusted: trusted) == IPAddress("203.0.113.9"))
        // Two proxies in a row.
        #expect(ForwardedFor.clientAddress(peer: proxy, headers: ["203.0.113.9", "10.0.0.7"], trusted: trusted) == IPAddress("203.0.113.9"))
        // From an untrusted peer the header is ignored: anyone can write it.
        #expect(ForwardedFor.clientAddress(peer: IPAddress("198.51.100.1")!, headers: ["203.0.113.9"], trusted: trusted) == IPAddress("198.51.100.1"))
        // Without trusted proxies, never read.
        #expect(ForwardedFor.clientAddress(peer: proxy, headers: ["203.0.113.9"], trusted: []) == proxy)
        // Garbage on the right: the last hop that parsed.
        #expect(ForwardedFor.clientAddress(peer: proxy, headers: ["203.0.113.9, garbage"], trusted: trusted) == proxy)
    }
}
