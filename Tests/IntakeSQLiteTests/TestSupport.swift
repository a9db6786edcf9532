import Foundation
import IntakeCore
import IntakeModel
import IntakeSQLite
import Testing

/// A fresh directory for one test's database files, removed afterwards.
struct TemporaryDatabase {
    let directory: URL
    var path: String { directory.appendingPathComponent("intake.sqlite").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("intake-sqlite-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func open() throws -> SQLiteStore { try SQLiteStore(path: path) }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// Runs `body` with a store on a new database file, then deletes the file.
func withDatabase(_ body: (TemporaryDatabase, SQLiteStore) async throws -> Void) async throws {
    let database = try TemporaryDatabase()
    defer { database.remove() }
    let store = try database.open()
    try await body(database, store)
}

enum Fixtures {
    static func event(
        _ type: EventType = .lead, name: String = "signup", source: String = "src-1",
        fields: [String: JSONValue] = ["email": .string("a@example.com")], eventID: String? = nil,
        personID: String? = nil, gaClientID: String? = nil, affiliateID: String? = nil, createdAt: Int64 = 1_575_280_800_000
    ) -> EventInput {
        EventInput(
            eventType: type, eventName: name, sourceID: source, fields: fields, eventID: eventID, personID: personID,
            gaClientID: gaClientID, affiliateID: affiliateID, createdAt: createdAt)
    }

    /// A response whose body lists the receipt ids, e.g. `3,4,5`.
    @Sendable static func listIDs(_ receipts: [EventReceipt]) -> ResponseRecord {
        ResponseRecord(status: 201, body: Array(receipts.map { String($0.id) }.joined(separator: ",").utf8))
    }

    static func submission(
        account: String = "default", clientID: String = "client-1", events: [EventInput],
        key: String? = nil, fingerprint: [UInt8] = [1, 2, 3]
    ) -> EventSubmission {
        EventSubmission(
            account: account, clientID: clientID, events: events,
            idempotencyKey: key.map { IdempotencyKey(key: $0, fingerprint: fingerprint) }, respond: listIDs)
    }
}

extension EventSubmission.Outcome {
    /// The ids listed in a `.stored` response built by ``Fixtures/listIDs(_:)``.
    var storedIDs: [Int64]? {
        guard case .stored(let response) = self else { return nil }
        return String(decoding: response.body, as: UTF8.self).split(separator: ",").compactMap { Int64($0) }
    }
}
