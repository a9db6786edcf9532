import Foundation
import HTTPTypes
import HummingbirdTesting
import IntakeCore
import IntakeModel
import IntakeServer
import IntakeTestSupport
import Logging
import Testing

/// One log line per request, with what an operator needs and nothing a stranger could use: never
/// a secret, a token or the path as sent, on success and on every error path.
@Suite("Request log")
struct RequestLogTests {
    static func requestLines(_ log: CapturedLog) -> [CapturedLog.Entry] {
        log.all.filter { $0.message == "request" }
    }

    @Test("Each request is logged once with method, route, status, duration, client id and request id")
    func oneLinePerRequest() async throws {
        let log = CapturedLog()
        try await TestServer.run(logger: log.logger) { server in
            let credentials = try await server.register()
            let token = try await server.token(for: credentials)
            let before = Self.requestLines(log).count
            let event = #"{"event_type":"lead","event_name":"x","source_id":"s","fields":{}}"#
            let sent = try await server.post("/v2/event", json: event, token: token, headers: [.xRequestID: "trace-42"])
            #expect(sent.headers[.xRequestID] == "trace-42")
            let lines = Self.requestLines(log).dropFirst(before)
            try #require(lines.count == 1, "\(lines.map(\.fullText))")
            let line = try #require(lines.first)
            #expect(line.level == .info)
            #expect(line.metadata["method"] == "POST")
            #expect(line.metadata["route"] == "/v2/event")
            #expect(line.metadata["status"] == "201")
            #expect(line.metadata["client_id"] == credentials.clientID)
            #expect(line.metadata["request_id"] == "trace-42")
            #expect(line.metadata["duration_ms"].flatMap(Double.init).map { $0 >= 0 } == true)

            let token2 = try await server.tokenRequest(credentials)
            let tokenLine = try #require(Self.requestLines(log).last)
            #expect(tokenLine.metadata["route"] == "/oauth2/token")
            #expect(tokenLine.metadata["client_id"] == credentials.clientID)
            let made = try #require(token2.headers[.xRequestID])
            #expect(tokenLine.metadata["request_id"] == made, "a made request id is echoed and logged")

            _ = try await server.request(.get, "/no/such/place")
            let unmatched = try #require(Self.requestLines(log).last)
            #expect(unmatched.metadata["route"] == "unmatched")
            #expect(unmatched.metadata["status"] == "404")
            #expect(unmatched.metadata["client_id"] == nil)
        }
    }

    @Test("An X-Request-Id that is too long or not visible ASCII is replaced by a made one", arguments: [
        String(repeating: "a", count: RequestIdentifier.maximumLength + 1), "has space", "tab\there", "naïve", "",
    ])
    func unacceptableRequestIDIsReplaced(supplied: String) async throws {
        try await TestServer.run { server in
            let response = try await server.request(.get, "/health", headers: [.xRequestID: supplied])
            let echoed = try #require(response.headers[.xRequestID])
            #expect(echoed != supplied)
            #expect(RequestIdentifier.isAcceptable(echoed))
        }
    }

    @Test("No secret or token reaches the log, whatever the request and however it fails")
    func nothingSecretIsLogged() async throws {
        let log = CapturedLog()
        try await TestServer.run(logger: log.logger) { server in
            let credentials = try await server.register(scopes: "events:write events:read tokens:introspect")
            let token = try await server.token(for: credentials)
            let secret = credentials.clientSecret
            let event = #"{"event_type":"lead","event_name":"x","source_id":"s","fields":{}}"#
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            // Successes.
            _ = try await server.post("/v2/event", json: event, token: token)
            _ = try await server.get("/v2/events", token: token)
            _ = try await server.request(.post, "/oauth2/introspect", headers: form.merging(auth: basic(credentials.clientID, secret)), body: "token=\(token)")
            // Failures that carry the secret or the token in every place a client might put them.
            _ = try await server.tokenRequest(ClientCredentials(clientID: credentials.clientID, clientSecret: secret + "x"))
            _ = try await server.tokenRequest(form: "grant_type=client_credentials&client_id=\(credentials.clientID)&client_secret=\(secret)x")
            _ = try await server.tokenRequest(form: "grant_type=nope&client_secret=\(secret)", authorization: basic(credentials.clientID, secret))
            _ = try await server.request(.post, "/oauth2/token?client_secret=\(secret)", headers: form, body: "grant_type=client_credentials")
            _ = try await server.post("/v2/event", json: "{\"broken\": \"\(secret)", token: token)
            _ = try await server.post("/v2/event", json: event, token: token + "x")
            _ = try await server.request(.get, "/v2/events?access_token=\(token)")
            _ = try await server.request(.get, "/v2/\(token)", headers: [.authorization: "Bearer \(token)"])
            _ = try await server.request(.post, "/oauth2/revoke", headers: form.merging(auth: basic(credentials.clientID, secret)), body: "token=\(token)")
            _ = try await server.post("/v2/event", json: event, token: token)

            let entries = log.all
            #expect(Self.requestLines(log).count >= 13)
            for entry in entries {
                #expect(!entry.fullText.contains(secret), "the secret is logged: \(entry.fullText)")
                #expect(!entry.fullText.contains(token), "a token is logged: \(entry.fullText)")
                #expect(!entry.fullText.contains(String(token.split(separator: ".")[2])), "a signature is logged: \(entry.fullText)")
            }
        }
    }
}

extension HTTPFields {
    fileprivate func merging(auth: String) -> HTTPFields {
        var fields = self
        fields[.authorization] = auth
        return fields
    }
}
