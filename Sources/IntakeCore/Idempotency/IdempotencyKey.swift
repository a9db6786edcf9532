/// An idempotency key (IETF draft "The Idempotency-Key HTTP Header Field") and the fingerprint of
/// the request it first came with.
package struct IdempotencyKey: Sendable, Hashable {
    package static let maximumLength = 255
    /// How long a key is honoured.
    package static let retentionSeconds: Int64 = 24 * 3600

    package var key: String
    package var fingerprint: [UInt8]

    package init(key: String, fingerprint: [UInt8]) {
        self.key = key
        self.fingerprint = fingerprint
    }
}

/// A key as a store finds it: keys belong to the client that sent them.
package struct IdempotencyKeyReference: Sendable, Hashable {
    package var clientID: String
    package var key: String

    package init(clientID: String, key: String) {
        self.clientID = clientID
        self.key = key
    }
}
