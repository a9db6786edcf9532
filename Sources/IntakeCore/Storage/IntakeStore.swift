/// Everything the server keeps: one conformance per database.
public protocol IntakeStore: ClientStore, SigningKeyStore, EventStore {}
