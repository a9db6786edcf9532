/// Everything the server keeps: one conformance per database.
package protocol IntakeStore: ClientStore, SigningKeyStore, EventStore, RevocationStore, AuditStore {
    /// Returns once the database answers a trivial query; throws while it cannot.
    func checkReadiness() async throws
}
