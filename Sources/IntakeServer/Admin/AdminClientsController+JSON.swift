import IntakeCore
import IntakeModel

/// A client as the admin API shows it: never its secret or the secret's hash.
/// `{"client_id":…,"name":…,"account":…,"scope":…,"disabled":false,"created_at":…,"token_ttl":…,"previous_secret_valid_until":…}`
extension AdminClientsController {
    static func clientJSON(_ client: ClientRecord) -> [UInt8] {
        var out: [UInt8] = []
        appendClient(client, to: &out)
        return out
    }

    static func appendClient(_ client: ClientRecord, to out: inout [UInt8]) {
        JSONWriter.appendObjectStart(&out)
        appendClientMembers(client, to: &out)
        JSONWriter.appendObjectEnd(&out)
    }

    /// `secret`: the new client's, for the one answer that shows it.
    static func appendClientMembers(_ client: ClientRecord, secret: String? = nil, to out: inout [UInt8], now: Int64 = UnixTime.now()) {
        JSONWriter.appendMember("client_id", string: client.id, to: &out)
        if let secret { JSONWriter.appendMember("client_secret", string: secret, to: &out) }
        JSONWriter.appendMember("name", string: client.name, to: &out)
        JSONWriter.appendMember("account", string: client.account, to: &out)
        JSONWriter.appendMember("scope", string: client.scopes.description, to: &out)
        JSONWriter.appendMember("disabled", bool: !client.isEnabled, to: &out)
        JSONWriter.appendMember("created_at", string: Timestamp.format(seconds: client.createdAt), to: &out)
        if let lifetime = client.tokenLifetime { JSONWriter.appendMember("token_ttl", integer: lifetime, to: &out) }
        // The previous secret only while it still works.
        if let previous = client.previousSecret, previous.validUntil > now {
            JSONWriter.appendMember("previous_secret_valid_until", string: Timestamp.format(seconds: previous.validUntil), to: &out)
        }
    }
}
