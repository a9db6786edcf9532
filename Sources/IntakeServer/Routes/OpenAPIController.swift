import Hummingbird
import NIOCore

/// `GET /openapi.json`: the OpenAPI 3.1 document of the public API, `OpenAPI/openapi.json` in
/// the sources, compiled into the binary.
struct OpenAPIController {
    static let path = "/openapi.json"

    func addRoutes(to router: Router<IntakeRequestContext>) {
        let document = ByteBuffer(bytes: PackageResources.openapi_json)
        router.get(RouterPath(Self.path)) { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: document))
        }
    }
}
