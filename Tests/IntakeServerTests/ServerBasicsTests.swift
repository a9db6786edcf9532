import Foundation
import HTTPTypes
import HummingbirdTesting
import IntakeCore
import IntakeSQLite
import NIOCore
import Testing

/// Health check and answers to requests no route takes.
@Suite("Server basics")
struct ServerBasicsTests {
    @Test("GET /health answers 200")
    func health() async throws {
        try await TestServer.run { server in
            let response = try await server.request(.get, "/health")
            #expect(response.status == .ok)
        }
    }

    @Test(
        "An unknown route or method is a 4xx JSON answer",
        arguments: [
            (HTTPRequest.Method.get, "/nope"), (.post, "/v2/nope"), (.get, "/v2/event"), (.delete, "/v2/events"),
            (.get, "/oauth2/authorize"),
        ])
    func unknownRoute(method: HTTPRequest.Method, path: String) async throws {
        try await TestServer.run { server in
            let token = try await server.token(for: try await server.registerReaderWriter())
            let response = try await server.request(method, path, headers: [.authorization: "Bearer \(token)"])
            #expect((400..<500).contains(response.status.code), "\(response.status)")
            #expect(response.headers[.contentType]?.contains("json") == true)
            #expect((try? response.json()) != nil, "\(response.text)")
            #expect(!response.text.contains(token))
        }
    }
}
