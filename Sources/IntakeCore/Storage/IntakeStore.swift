/// Everything the server keeps: one conformance per database.
package protocol IntakeStore: ClientStore, SigningKeyStore, EventStore, RevocationStore, AuditStore {
    /// Returns once the database answers a trivial query; throws while it cannot.
    func checkReadiness() async throws
    /// Returns once a small write (one settings row) commits; throws while writes fail (a full
    /// disk, a read-only file).
    func checkWritable() async throws
}
