import Foundation
import HTTPTypes
import HummingbirdTesting
import IntakeCore
import IntakeModel
import IntakeServer
import IntakeTestSupport
import NIOCore
import Testing

/// `GET /metrics` on the operators' listener: Prometheus text whose counters move with what the
/// server does, with no caller-chosen text as a label. (CI also parses it with Python's
/// prometheus_client: `scripts/metrics-check.py`.) The registry is the process's, shared with
/// the other tests running at the same time, so these check how much a figure grew, at least.
@Suite("Metrics")
struct MetricsTests {
    /// The samples of the exposition: `name{labels}` to value.
    static func samples(_ text: String) -> [String: Double] {
        var result: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            result[String(line[..<space])] = value
        }
        return result
    }

    static func scrape(_ admin: any TestClientProtocol) async throws -> [String: Double] {
        let response = try await admin.execute(uri: "/metrics", method: .get, headers: [:], body: nil)
        try #require(response.status == .ok)
        #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
        return samples(String(buffer: response.body))
    }

    @Test("Token outcomes, stored events, replays and group commits move the counters")
    func countersMove() async throws {
        try await TestServer.run { server in
            try await server.withAdminListener { admin in
                let credentials = try await server.register()
                let before = try await Self.scrape(admin)
                let issued = #"intake_token_requests_total{outcome="issued"}"#
                let wrong = #"intake_token_requests_total{outcome="invalid_credentials"}"#
                let invalid = #"intake_token_requests_total{outcome="invalid_request"}"#

                let token = try await server.token(for: credentials)
                _ = try await server.token(for: credentials)
                #expect(try await server.tokenRequest(ClientCredentials(clientID: credentials.clientID, clientSecret: "wrong")).status == .unauthorized)
                #expect(try await server.tokenRequest(credentials, form: "grant_type=password").status == .badRequest)
                let event = #"{"event_type":"lead","event_name":"x","source_id":"s","fields":{}}"#
                for _ in 0..<3 { #expect(try await server.post("/v2/event", json: event, token: token).status == .created) }
                let keyed: HTTPFields = [.init("Idempotency-Key")!: "metrics-test-key"]
                #expect(try await server.post("/v2/event", json: event, token: token, headers: keyed).status == .created)
                #expect(try await server.post("/v2/event", json: event, token: token, headers: keyed).status == .created)

                let after = try await Self.scrape(admin)
                func grew(_ name: String, by amount: Double) {
                    #expect((after[name] ?? 0) - (before[name] ?? 0) >= amount, "\(name): \(before[name] ?? 0) → \(after[name] ?? 0)")
                }
                grew(issued, by: 2)
                grew(wrong, by: 1)
                grew(invalid, by: 1)
                grew("intake_events_stored_total", by: 4)
                grew("intake_idempotent_replays_total", by: 1)
                grew(#"intake_group_commit_batch_size_count{database="sqlite"}"#, by: 4)
                grew(#"intake_group_commit_duration_seconds_count{database="sqlite"}"#, by: 4)
                grew(#"intake_http_requests_total{route="/v2/event",method="POST",status="201"}"#, by: 5)
                grew(#"intake_http_request_duration_seconds_count{route="/v2/event",method="POST",status="201"}"#, by: 5)
                #expect(after["intake_registered_clients"].map { $0 >= 1 } == true)
                #expect(after[#"intake_group_commit_batch_size_bucket{database="sqlite",le="1.0"}"#] != nil, "batch sizes have buckets from 1")
                #expect(after["process_resident_memory_bytes"].map { $0 > 0 } == true)
                #expect(after["process_open_fds"].map { $0 > 0 } == true)
                #expect(after["process_cpu_seconds_total"] != nil)
                #expect(after["process_start_time_seconds"].map { $0 > 1_700_000_000 } == true)
            }
        }
    }

    @Test("No client id, path or other caller text becomes part of the metrics")
    func labelsAreBounded() async throws {
        try await TestServer.run { server in
            try await server.withAdminListener { admin in
                let credentials = try await server.register()
                _ = try await server.tokenRequest(ClientCredentials(clientID: "stranger-id-xyz", clientSecret: "nope"))
                _ = try await server.token(for: credentials)
                _ = try await server.request(.get, "/no/such/path-abc123")
                _ = try await server.request(.get, "/.well-known/jwks.json?x=query-abc")
                let response = try await admin.execute(uri: "/metrics", method: .get, headers: [:], body: nil)
                let text = String(buffer: response.body)
                for caller in [credentials.clientID, credentials.clientSecret, "stranger-id-xyz", "path-abc123", "query-abc"] {
                    #expect(!text.contains(caller), "\(caller) appears in /metrics")
                }
                #expect(text.contains(#"route="unmatched""#))
            }
        }
    }
}
