import Foundation
import HTTPTypes
import HummingbirdTesting
import IntakeCore
import IntakeServer
import IntakeTestSupport
import Logging
import Testing

/// What a stranger on the network can do with connections alone, before any authentication.
@Suite("Connection hardening")
struct ConnectionHardeningTests {
    static let event = #"{"event_type":"lead","event_name":"n","source_id":"s","fields":{}}"#

    /// The head of a `POST /v2/event` declaring `length` bytes of body, with `extra` header lines.
    static func eventHead(token: String, length: Int, extra: String = "") -> String {
        "POST /v2/event HTTP/1.1\r\nHost: intake.test\r\nAuthorization: Bearer \(token)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(length)\r\n\(extra)\r\n"
    }

    @Test("A connection that sends nothing is closed after the idle timeout")
    func silentConnectionsAreClosed() async throws {
        try await TestServer.run(configure: { $0.idleTimeout = .seconds(1) }) { server in
            let connection = try RawConnection(port: try #require(server.client.port))
            let started = ContinuousClock.now
            let answer = await connection.read(timeout: .seconds(5))
            #expect(answer.closed, "the server kept a silent connection open for 5 s")
            #expect(ContinuousClock.now - started >= .milliseconds(900))
            let fresh = try RawConnection(port: try #require(server.client.port))
            try fresh.send("GET /health HTTP/1.1\r\nHost: intake.test\r\n\r\n")
            #expect(await fresh.read(timeout: .seconds(5), until: { $0.contains(#"{"status":"ok"}"#) }).text.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test("Past the connection limit a new connection gets 503 with a JSON body, and is closed")
    func connectionLimit() async throws {
        try await TestServer.run(configure: { $0.maximumConnections = 3 }) { server in
            let port = try #require(server.client.port)
            // The test client holds a connection of its own (a request makes sure it is open); open
            // more, each asking for /health, until one is refused.
            #expect(try await server.request(.get, "/health").status == .ok)
            var held: [RawConnection] = []
            var refusal: (text: String, closed: Bool)?
            for _ in 0..<5 where refusal == nil {
                let connection = try RawConnection(port: port)
                try connection.send("GET /health HTTP/1.1\r\nHost: intake.test\r\n\r\n")
                let answer = await connection.read(timeout: .seconds(5), until: { $0.hasSuffix("}") })
                if answer.text.hasPrefix("HTTP/1.1 503") {
                    refusal = (answer.text, await connection.read(timeout: .seconds(5)).closed)
                } else {
                    #expect(answer.text.hasPrefix("HTTP/1.1 200"), "\(answer.text)")
                    held.append(connection)
                }
            }
            let refused = try #require(refusal, "5 connections were accepted under a limit of 3")
            #expect(held.count >= 1 && held.count <= 2)
            #expect(refused.text.contains("retry-after: 1"))
            #expect(refused.text.hasSuffix(#""detail":"Too many open connections; retry later"}"#))
            #expect(refused.closed)
            // A place frees when a connection closes.
            held.removeAll()
            let again = try await eventually {
                let connection = try RawConnection(port: port)
                try connection.send("GET /health HTTP/1.1\r\nHost: intake.test\r\n\r\n")
                return await connection.read(timeout: .seconds(2), until: { $0.contains("\r\n\r\n") }).text.hasPrefix("HTTP/1.1 200")
            }
            #expect(again, "no place freed after the held connections closed")
        }
    }

    @Test("One address cannot take every place: past its own limit it gets 503, others still get in")
    func connectionLimitPerAddress() async throws {
        try await TestServer.run(configure: { $0.maximumConnectionsPerAddress = 2 }) { server in
            let port = try #require(server.client.port)
            // Loopback addresses other than the test client's stand for other hosts. Each connection
            // is answered before the next opens, so the order of acceptance is known.
            var answers: [String] = []
            var held: [RawConnection] = []
            for _ in 0..<3 {
                let connection = try RawConnection(port: port, from: "127.0.0.3")
                try connection.send("GET /health HTTP/1.1\r\nHost: intake.test\r\n\r\n")
                answers.append(await connection.read(timeout: .seconds(5), until: { $0.hasSuffix("}") }).text)
                held.append(connection)
            }
            #expect(answers.map { $0.prefix(12) } == ["HTTP/1.1 200", "HTTP/1.1 200", "HTTP/1.1 503"])
            let other = try RawConnection(port: port, from: "127.0.0.2")
            try other.send("GET /health HTTP/1.1\r\nHost: intake.test\r\n\r\n")
            #expect(await other.read(timeout: .seconds(5), until: { $0.hasSuffix("}") }).text.hasPrefix("HTTP/1.1 200"))
            _ = held
        }
    }

    @Test("Idle connections from many addresses, each under its own limit, cannot fill the server: the oldest silent one makes room")
    func idleConnectionsFromManyAddresses() async throws {
        let log = CapturedLog()
        try await TestServer.run(
            logger: log.logger, configure: { $0.maximumConnections = 24; $0.maximumConnectionsPerAddress = 4 }
        ) { server in
            let port = try #require(server.client.port)
            let credentials = try await server.register()
            // Eight hosts hold four silent connections each: 32 tries at a budget of 24, which the
            // test client's own connection (it has sent requests) shares.
            var silent: [RawConnection] = []
            for host in 2...9 {
                for _ in 0..<4 { silent.append(try RawConnection(port: port, from: "127.0.0.\(host)")) }
            }
            // Every one of them is let in (each pushing out an older silent one), so a newcomer is too.
            let partner = try RawConnection(port: port, from: "127.0.1.1")
            try partner.send(
                "POST /oauth2/token HTTP/1.1\r\nHost: intake.test\r\nAuthorization: \(basic(credentials.clientID, credentials.clientSecret))\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 29\r\n\r\ngrant_type=client_credentials")
            let answer = await partner.read(timeout: .seconds(2), until: { $0.contains("expires_in") })
            #expect(answer.text.hasPrefix("HTTP/1.1 200"), "\(answer.text)")
            // Silent ones were closed to make room (34 connections for 24 places: 10, give or take
            // the order two event loops admit them in); the test client's connection was not.
            var closed = 0
            for connection in silent where await connection.read(timeout: .milliseconds(50)).closed { closed += 1 }
            #expect(closed >= 9 && closed <= 10, "\(closed) silent connections were closed")
            #expect(try await server.request(.get, "/health").status == .ok)
            #expect(!log.all.contains { $0.level == .warning && $0.message.hasPrefix("Connections refused") })
        }
    }

    @Test("Refused connections are logged at most once a second, with their count")
    func refusalsAreLoggedOncePerSecond() async throws {
        let log = CapturedLog()
        try await TestServer.run(logger: log.logger, configure: { $0.maximumConnectionsPerAddress = 1 }) { server in
            let port = try #require(server.client.port)
            let held = try RawConnection(port: port, from: "127.0.0.5")
            let started = ContinuousClock.now
            for _ in 0..<60 {
                let refused = try RawConnection(port: port, from: "127.0.0.5")
                _ = await refused.read(timeout: .seconds(2), until: { $0.hasSuffix("}") })
            }
            let seconds = Int((ContinuousClock.now - started).components.seconds)
            let lines = log.all.filter { $0.message.hasPrefix("Connections refused") }
            // One line for the first refusal, at most one more for each second the 60 took (under a
            // second alone, many in a full run on two cores): before, 60 lines.
            #expect(!lines.isEmpty && lines.count <= seconds + 2, "\(lines.count) lines for 60 refusals in \(seconds) s")
            #expect(lines.first?.metadata["reason"] == "per_address")
            _ = held
        }
    }

    @Test("Expect: 100-continue is answered at once, and the body then stored")
    func expectContinue() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.register())
            let connection = try RawConnection(port: try #require(server.client.port))
            try connection.send(
                Self.eventHead(token: token, length: Self.event.utf8.count, extra: "Expect: 100-continue\r\n"))
            let interim = await connection.read(timeout: .seconds(5), until: { $0.contains("\r\n\r\n") })
            #expect(interim.text.hasPrefix("HTTP/1.1 100 Continue\r\n"), "\(interim.text)")
            try connection.send(Self.event)
            let final = await connection.read(timeout: .seconds(5), until: { $0.contains(#""received_at""#) })
            #expect(final.text.contains("HTTP/1.1 201 Created"), "\(final.text)")
        }
    }

    @Test("A body over the limit is not invited: 413, then the connection is closed")
    func tooLargeIsRefusedAndClosed() async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.register())
            for expect in ["Expect: 100-continue\r\n", ""] {
                let connection = try RawConnection(port: try #require(server.client.port))
                try connection.send(
                    Self.eventHead(token: token, length: 4 << 20, extra: expect))
                let answer = await connection.read(timeout: .seconds(6))
                #expect(answer.text.hasPrefix("HTTP/1.1 413"), "\(expect): \(answer.text)")
                #expect(!answer.text.contains("100 Continue"))
                #expect(answer.text.lowercased().contains("connection: close"))
                #expect(answer.closed, "the connection stayed open after the 413 (\(expect))")
            }
        }
    }

    @Test("HTTP/1.0 without keep-alive gets Connection: close and a closed connection")
    func http10IsClosed() async throws {
        try await TestServer.run { server in
            let connection = try RawConnection(port: try #require(server.client.port))
            try connection.send("GET /health HTTP/1.0\r\n\r\n")
            let answer = await connection.read(timeout: .seconds(5))
            #expect(answer.text.contains(#"{"status":"ok"}"#), "\(answer.text)")
            #expect(answer.text.lowercased().contains("connection: close"))
            #expect(answer.closed)
        }
    }

    /// Requests refused before any route sees them, and what the refusal says.
    static let refusedRequests: [(head: String, detail: String)] = [
        ("GET /health HTTP/1.1\r\n\r\n", "The request has no Host header"),
        ("GET /health HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n", "The request has more than one Host header"),
        ("GET /health HTTP/1.1\r\nHost: intake.test\r\nContent-Length: -1\r\n\r\n", "The request is not valid HTTP/1.1"),
        ("GET /health HTTP/1.1\r\nHost: intake.test\r\nC\u{7F}ntent-Type: a\r\n\r\n", "The request is not valid HTTP/1.1"),
        ("GET /health HTTP/1.1\r\nHost: intake.test\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "The request is not valid HTTP/1.1"),
    ]

    @Test(
        "No Host in HTTP/1.1, two Hosts (RFC 9112 §3.2), or not HTTP at all: a 400 problem document and a closed connection",
        arguments: refusedRequests)
    func refusedBeforeRouting(_ request: (head: String, detail: String)) async throws {
        try await TestServer.run { server in
            let connection = try RawConnection(port: try #require(server.client.port))
            try connection.send(request.head)
            let answer = await connection.read(timeout: .seconds(5))
            #expect(answer.text.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(answer.text)")
            #expect(answer.text.contains("application/problem+json"))
            #expect(answer.text.hasSuffix(#""detail":"\#(request.detail)"}"#), "\(answer.text)")
            #expect(answer.closed)
        }
    }

    @Test("A body that trickles in too slowly is answered 408 and the connection closed")
    func slowBodyTimesOut() async throws {
        try await TestServer.run(configure: { $0.bodyTimeout = .seconds(1) }) { server in
            let token = try await server.token(for: try await server.register())
            let connection = try RawConnection(port: try #require(server.client.port))
            try connection.send(
                Self.eventHead(token: token, length: 100) + #"{"event"#)
            let answer = await connection.read(timeout: .seconds(6))
            #expect(answer.text.hasPrefix("HTTP/1.1 408"), "\(answer.text)")
            #expect(answer.closed)
        }
    }
}
