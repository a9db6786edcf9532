import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IntakeModel
import IntakeServer
import Testing

/// `GET /openapi.json` describes exactly what the public listener serves: every route the router
/// has is a documented path (or answers 405, for the methods a path does not take), and every
/// documented operation is served. (CI also runs schemathesis against a live server with it:
/// `scripts/openapi-check.sh`.)
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    @Test("The served document is OpenAPI 3.1, and its paths and operations are the router's")
    func documentMatchesRouter() async throws {
        try await TestServer.run { server in
            let response = try await server.request(.get, "/openapi.json")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let document = try response.json()
            #expect(document["openapi"]?.string?.hasPrefix("3.1") == true)
            let paths = try #require(document["paths"]?.object)

            let routes = server.server.makeRouter().routes
            #expect(Set(routes.map(\.path.description)) == Set(paths.keys), "router paths and documented paths differ")

            for route in routes {
                let path = route.path.description
                let method = route.method.rawValue.lowercased()
                if paths[path]?[method] == nil {
                    let answer = try await server.request(route.method, path)
                    #expect(answer.status == .methodNotAllowed, "\(route) is served but not documented")
                }
            }
            for (path, item) in paths {
                for method in Self.methods where item[method] != nil {
                    let served = routes.contains { $0.path.description == path && $0.method.rawValue.lowercased() == method }
                    #expect(served, "\(method.uppercased()) \(path) is documented but not served")
                }
            }
        }
    }
}
