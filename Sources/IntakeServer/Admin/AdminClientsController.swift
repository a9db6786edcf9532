import Hummingbird
import IntakeCore
import IntakeModel
import NIOCore

/// The admin API's clients: `GET/POST /admin/clients`, `GET/PATCH/DELETE /admin/clients/{id}`
/// and `POST /admin/clients/{id}/rotate-secret`. Each change goes through
/// ``ClientAdministration`` (so it is in the audit trail as `admin`), then the registry is
/// checked at once, so the change holds on this instance when the answer leaves; other
/// instances see it at their next poll (one second). Secrets appear only in the answers of
/// create and rotate-secret, which are `Cache-Control: no-store`.
///
/// ```swift
/// AdminClientsController(administration: administration, registry: registry).addRoutes(to: admin)
/// ```
struct AdminClientsController {
    let administration: ClientAdministration
    let registry: ClientRegistry

    func addRoutes(to admin: RouterGroup<IntakeRequestContext>) {
        admin.get("clients") { _, _ in
            let clients = try await administration.store.clients()
            var out: [UInt8] = [UInt8(ascii: "[")]
            for (index, client) in clients.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.appendClient(client, to: &out)
            }
            out.append(UInt8(ascii: "]"))
            return AdminResponse.json(.ok, out)
        }
        admin.post("clients") { request, _ in try await create(request) }
        admin.get("clients/:id") { _, context in
            AdminResponse.json(.ok, Self.clientJSON(try await client(context)))
        }
        admin.patch("clients/:id") { request, context in
            let body = try await AdminRequestBody(request, members: ["disabled"])
            guard let disabled = try body.bool("disabled") else {
                throw AdminRequestBody.invalid([FieldProblem(field: "disabled", detail: "is required: true or false")])
            }
            let id = try Self.id(context)
            guard try await administration.setEnabled(id: id, !disabled) else { throw Self.noSuchClient(id) }
            await registry.checkForChanges()
            return AdminResponse.json(.ok, Self.clientJSON(try await client(context)))
        }
        admin.delete("clients/:id") { _, context in
            let id = try Self.id(context)
            guard try await administration.delete(id: id) else { throw Self.noSuchClient(id) }
            await registry.checkForChanges()
            return Response(status: .noContent)
        }
        admin.post("clients/:id/rotate-secret") { request, context in
            let body = try await AdminRequestBody(request, members: ["grace_seconds"], allowsEmpty: true)
            let grace = try body.integer("grace_seconds") ?? 0
            guard (0...ClientAdministration.maximumGrace).contains(grace) else {
                throw AdminRequestBody.invalid([FieldProblem(field: "grace_seconds", detail: "must be 0 to \(ClientAdministration.maximumGrace)")])
            }
            let id = try Self.id(context)
            let now = UnixTime.now()
            guard let credentials = try await administration.rotateSecret(id: id, grace: grace, now: now) else {
                throw Self.noSuchClient(id)
            }
            await registry.checkForChanges()
            var out: [UInt8] = []
            JSONWriter.appendObjectStart(&out)
            JSONWriter.appendMember("client_id", string: credentials.clientID, to: &out)
            JSONWriter.appendMember("client_secret", string: credentials.clientSecret, to: &out)
            if grace > 0 {
                JSONWriter.appendMember("previous_secret_valid_until", string: Timestamp.format(seconds: now.saturatingAdding(grace)), to: &out)
            }
            JSONWriter.appendObjectEnd(&out)
            return AdminResponse.json(.ok, out, carriesSecret: true)
        }
    }

    private func create(_ request: Request) async throws -> Response {
        let body = try await AdminRequestBody(request, members: ["name", "scope", "account", "token_ttl"])
        var problems: [FieldProblem] = []
        let name = try body.string("name")
        if let name {
            if let problem = DisplayText.labelProblem(name) { problems.append(FieldProblem(field: "name", detail: problem)) }
        } else {
            problems.append(FieldProblem(field: "name", detail: "is required"))
        }
        let account = try body.string("account") ?? ClientAdministration.defaultAccount
        if let problem = DisplayText.labelProblem(account) { problems.append(FieldProblem(field: "account", detail: problem)) }
        var scopes = ScopeSet.defaultForNewClients
        if let text = try body.string("scope") {
            if let parsed = try? ScopeSet(parsing: text), !parsed.isEmpty, text.unicodeScalars.allSatisfy({ !DisplayText.isUnsafe($0) }) {
                scopes = parsed
            } else {
                problems.append(
                    FieldProblem(
                        field: "scope",
                        detail: #"must be space-separated scopes of printable ASCII without space, " or \ (RFC 6749 §3.3), e.g. "events:write events:read""#))
            }
        }
        let tokenLifetime = try body.integer("token_ttl")
        if let tokenLifetime, !(1...AccessTokenVerifier.maximumLifetime).contains(tokenLifetime) {
            problems.append(FieldProblem(field: "token_ttl", detail: "must be 1 to \(AccessTokenVerifier.maximumLifetime) seconds"))
        }
        guard problems.isEmpty, let name else { throw AdminRequestBody.invalid(problems) }
        let (client, credentials) = try await administration.create(
            name: name, account: account, scopes: scopes, tokenLifetime: tokenLifetime)
        await registry.checkForChanges()
        var out: [UInt8] = []
        JSONWriter.appendObjectStart(&out)
        Self.appendClientMembers(client, secret: credentials.clientSecret, to: &out)
        JSONWriter.appendObjectEnd(&out)
        var response = AdminResponse.json(.created, out, carriesSecret: true)
        response.headers[.location] = "/admin/clients/" + client.id
        return response
    }

    private func client(_ context: IntakeRequestContext) async throws -> ClientRecord {
        let id = try Self.id(context)
        guard let client = try await administration.store.client(id: id) else { throw Self.noSuchClient(id) }
        return client
    }

    private static func id(_ context: IntakeRequestContext) throws -> String {
        try context.parameters.require("id")
    }

    private static func noSuchClient(_ id: String) -> Problem {
        Problem(status: .notFound, type: Problem.typeBase + "not-found", detail: "No client has the id \(id)")
    }
}
