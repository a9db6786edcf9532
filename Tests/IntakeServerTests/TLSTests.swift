import Foundation
import IntakeTestSupport
import NIOCore
import NIOEmbedded
import Testing

@testable import IntakeServer

/// What the TLS listener decides before a handshake: what `--tls-cert`/`--tls-key` warn about,
/// and plain HTTP told apart from TLS in a connection's first bytes (on embedded channels; the
/// `intake serve` tests do both with real clients).
@Suite("TLS")
struct TLSTests {
    /// The `intake serve` tests' fixtures (see the README there).
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("IntakeCLITests/Fixtures")
    static let certificate = fixtures.appendingPathComponent("localhost-cert.pem").path
    static let expiredCertificate = fixtures.appendingPathComponent("expired-cert.pem").path
    static let key = fixtures.appendingPathComponent("localhost-key.pem").path
    /// Within `localhost-cert.pem`'s validity (2026-12-02 to 2126-11-08).
    static let validTime = Date(timeIntervalSince1970: 1_900_000_000)

    /// `localhost-key.pem` copied into `directory` with `mode`.
    static func key(in directory: URL, mode: Int) throws -> String {
        let path = directory.appendingPathComponent("key-\(String(mode, radix: 8)).pem").path
        try FileManager.default.copyItem(atPath: key, toPath: path)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    static func connectedChannel() async throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: PlainHTTPDetector())
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).get()
        return channel
    }

    static func detectorIsInPipeline(_ channel: EmbeddedChannel) -> Bool {
        (try? channel.pipeline.syncOperations.handler(type: PlainHTTPDetector.self)) != nil
    }

    // MARK: Files

    @Test("A certificate out of its validity is a warning with its date, whichever certificate of the chain it is; a valid one is none")
    func certificateValidityWarnings() async throws {
        try await TemporaryDirectory.with { directory in
            let key = try Self.key(in: directory, mode: 0o600)
            #expect(try TLSFiles(certificatePath: Self.certificate, keyPath: key, now: Self.validTime).warnings.isEmpty)
            let early = try TLSFiles(certificatePath: Self.certificate, keyPath: key, now: Date(timeIntervalSince1970: 1_767_225_600))
            #expect(
                early.warnings == [
                    "--tls-cert \(Self.certificate): the certificate is not valid before 2026-12-02T03:47:48Z; clients refuse it until then (is this machine's clock right?)"
                ])
            let late = try TLSFiles(certificatePath: Self.expiredCertificate, keyPath: key, now: Self.validTime)
            #expect(
                late.warnings == [
                    "--tls-cert \(Self.expiredCertificate): the certificate expired on 2020-01-02T00:00:00Z; clients refuse it until it is renewed"
                ])
            let chain = directory.appendingPathComponent("chain.pem")
            try (Data(contentsOf: URL(fileURLWithPath: Self.certificate)) + Data(contentsOf: URL(fileURLWithPath: Self.expiredCertificate)))
                .write(to: chain)
            let lapsedIntermediate = try TLSFiles(certificatePath: chain.path, keyPath: key, now: Self.validTime)
            #expect(lapsedIntermediate.warnings == ["--tls-cert \(chain.path): certificate 2 of the chain expired on 2020-01-02T00:00:00Z; clients refuse it until it is renewed"])
        }
    }

    @Test("A key file that group or others may read or write is a warning with its mode and the chmod; an owner-only one is none")
    func keyPermissionWarnings() async throws {
        try await TemporaryDirectory.with { directory in
            for mode in [0o600, 0o400] {
                let files = try TLSFiles(certificatePath: Self.certificate, keyPath: try Self.key(in: directory, mode: mode), now: Self.validTime)
                #expect(files.warnings.isEmpty, "mode \(String(mode, radix: 8)): \(files.warnings)")
            }
            for (mode, shown) in [(0o640, "0640"), (0o644, "0644"), (0o620, "0620")] {
                let key = try Self.key(in: directory, mode: mode)
                let files = try TLSFiles(certificatePath: Self.certificate, keyPath: key, now: Self.validTime)
                #expect(
                    files.warnings == [
                        "--tls-key \(key) is readable or writable by group or others (mode \(shown)): whoever reads it can pose as this server; fix with: chmod 600 \(key)"
                    ])
            }
        }
    }

    // MARK: Plain HTTP on the TLS port

    @Test(
        "A plain HTTP request line is answered 400 with a problem document and the connection closes; nothing reaches TLS",
        arguments: ["GET /health HTTP/1.1\r\nHost: x\r\n\r\n", "POST /oauth2/token HTTP/1.1\r\n", "OPTIONS * HTTP/1.1\r\n", "DELETE /v2"])
    func plainHTTPIsAnswered(request: String) async throws {
        let channel = try await Self.connectedChannel()
        try channel.writeInbound(ByteBuffer(string: request))
        let answer = try #require(try channel.readOutbound(as: ByteBuffer.self))
        let body = #"{"type":"urn:intake:problem:bad-request","title":"Bad Request","status":400,"detail":"This port speaks HTTPS; use https://"}"#
        #expect(
            String(buffer: answer)
                == "HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        )
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        #expect(!channel.isActive)
    }

    @Test("A method split over reads is held until it is whole, then answered")
    func splitMethod() async throws {
        let channel = try await Self.connectedChannel()
        for piece in ["O", "PTI", "ONS"] {
            try channel.writeInbound(ByteBuffer(string: piece))
            #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "answered before the method was whole")
            #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        }
        try channel.writeInbound(ByteBuffer(string: " * HTTP/1.1\r\n"))
        #expect(String(buffer: try #require(try channel.readOutbound(as: ByteBuffer.self))).hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
    }

    @Test("A TLS ClientHello goes on untouched in the same read, and the detector leaves the pipeline")
    func tlsPassesThrough() async throws {
        let channel = try await Self.connectedChannel()
        // A record header (handshake, TLS 1.0 on the record layer) and the start of a ClientHello.
        let hello: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03]
        try channel.writeInbound(ByteBuffer(bytes: hello))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(bytes: hello))
        #expect(!Self.detectorIsInPipeline(channel))
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "GET / HTTP/1.1\r\n"), "later bytes are TLS's alone")
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        #expect(channel.isActive)
    }

    @Test("Bytes that begin like a method but are not one go on whole, the held ones first", arguments: ["GEX", "get ", "PU\t", "SSH-2.0"])
    func nearMissesPassThrough(start: String) async throws {
        let channel = try await Self.connectedChannel()
        for byte in start.utf8 {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
        }
        var passed = ByteBuffer()
        while var part = try channel.readInbound(as: ByteBuffer.self) { passed.writeBuffer(&part) }
        #expect(String(buffer: passed) == start)
        #expect(!Self.detectorIsInPipeline(channel))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
    }

    @Test("A client that half-closes in the middle of a method gets its bytes and the end of input to TLS, as before")
    func inputClosedWhileUndecided() async throws {
        let channel = try await Self.connectedChannel()
        try channel.writeInbound(ByteBuffer(string: "PO"))
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "PO"))
        #expect(!Self.detectorIsInPipeline(channel))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
    }
}
