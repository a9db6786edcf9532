import Hummingbird
import IntakeCore
import IntakeModel

/// The admin API's signing keys: `GET /admin/keys` (newest first, never their material) and
/// `POST /admin/keys/rotate` with an optional `alg`. A rotation goes through ``KeyManager`` (in
/// the audit trail as `admin`) and the key ring is refreshed at once, so this instance signs with
/// the new key when the answer leaves; the others take it up at their next poll.
///
/// ```swift
/// AdminKeysController(manager: manager, keys: keyRing, store: store).addRoutes(to: admin)
/// ```
struct AdminKeysController {
    /// Nil when `INTAKE_SIGNING_KEY` fixes the key: then there is nothing to list or rotate.
    let manager: KeyManager?
    let keys: KeyRing
    let store: any SigningKeyStore

    func addRoutes(to admin: RouterGroup<IntakeRequestContext>) {
        admin.get("keys") { _, _ in
            try requireKeySet()
            let keys = try await store.signingKeys()
            var out: [UInt8] = [UInt8(ascii: "[")]
            for (index, key) in keys.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.appendKey(key, to: &out)
            }
            out.append(UInt8(ascii: "]"))
            return AdminResponse.json(.ok, out)
        }
        admin.post("keys/rotate") { request, _ in
            let manager = try requireKeySet()
            let body = try await AdminRequestBody(request, members: ["alg"], allowsEmpty: true)
            var algorithm: SigningAlgorithm?
            if let name = try body.string("alg") {
                guard let named = SigningAlgorithm(rawValue: name) else {
                    throw AdminRequestBody.invalid([FieldProblem(field: "alg", detail: "must be one of \(SigningAlgorithm.names)")])
                }
                algorithm = named
            }
            let key: StoredSigningKey
            do {
                key = try await manager.rotate(to: algorithm)
            } catch let error as KeyMaterialError {
                throw Problem(status: .conflict, type: Problem.typeBase + "keys-unusable", detail: "Cannot rotate: \(error)")
            }
            await keys.checkForChanges()
            var out: [UInt8] = []
            Self.appendKey(key, to: &out)
            return AdminResponse.json(.ok, out)
        }
    }

    @discardableResult
    private func requireKeySet() throws -> KeyManager {
        guard let manager else {
            throw Problem(
                status: .conflict, type: Problem.typeBase + "fixed-key",
                detail: "INTAKE_SIGNING_KEY fixes this server's one key; the key set is not in use")
        }
        return manager
    }

    /// `{"kid":…,"alg":…,"status":…,"created_at":…,"retires_at":…}`, as `intake keys list --json`.
    static func appendKey(_ key: StoredSigningKey, to out: inout [UInt8]) {
        JSONWriter.appendObjectStart(&out)
        JSONWriter.appendMember("kid", string: key.id, to: &out)
        JSONWriter.appendMember("alg", string: key.algorithm.rawValue, to: &out)
        JSONWriter.appendMember("status", string: key.status.rawValue, to: &out)
        JSONWriter.appendMember("created_at", string: Timestamp.format(seconds: key.createdAt), to: &out)
        if key.status == .retiring, let retiresAt = key.retiresAt {
            JSONWriter.appendMember("retires_at", string: Timestamp.format(seconds: retiresAt), to: &out)
        }
        JSONWriter.appendObjectEnd(&out)
    }
}
