import Foundation
import GRDB
import IntakeCore

extension SQLiteStore {
    /// Versioned schema migrations, applied in order at open.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE settings (name TEXT PRIMARY KEY, value BLOB NOT NULL);
                CREATE TABLE clients (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    account TEXT NOT NULL,
                    scopes TEXT NOT NULL,
                    secret_hash BLOB NOT NULL,
                    enabled INTEGER NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE TABLE clients_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
                INSERT INTO clients_version (id, version) VALUES (1, 0);
                CREATE TRIGGER clients_inserted AFTER INSERT ON clients
                    BEGIN UPDATE clients_version SET version = version + 1; END;
                CREATE TRIGGER clients_updated AFTER UPDATE ON clients
                    BEGIN UPDATE clients_version SET version = version + 1; END;
                CREATE TRIGGER clients_deleted AFTER DELETE ON clients
                    BEGIN UPDATE clients_version SET version = version + 1; END;
                CREATE TABLE events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    account TEXT NOT NULL,
                    client_id TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    event_name TEXT NOT NULL,
                    source_id TEXT NOT NULL,
                    fields TEXT NOT NULL,
                    event_id TEXT,
                    person_id TEXT,
                    ga_client_id TEXT,
                    affiliate_id TEXT,
                    created_at INTEGER NOT NULL,
                    received_at INTEGER NOT NULL
                );
                CREATE INDEX events_by_account ON events (account, id);
                CREATE INDEX events_by_source ON events (account, source_id, id);
                CREATE TABLE idempotency_keys (
                    client_id TEXT NOT NULL,
                    key TEXT NOT NULL,
                    fingerprint BLOB NOT NULL,
                    status INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (client_id, key)
                );
                CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
                """)
        }
        // Idempotency keys keep the receipts of the events they stored, not a rendered HTTP answer.
        // Keys stored by v1 (at most a day's worth) are forgotten. Reads filtered by type or by
        // time get indexes of their own instead of scanning the account's whole history.
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                DROP TABLE idempotency_keys;
                CREATE TABLE idempotency_keys (
                    client_id TEXT NOT NULL,
                    key TEXT NOT NULL,
                    fingerprint BLOB NOT NULL,
                    event_ids TEXT NOT NULL,
                    received_at INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (client_id, key)
                );
                CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
                CREATE INDEX events_by_type ON events (account, event_type, id);
                CREATE INDEX events_by_creation ON events (account, created_at, id);
                """)
        }
        // The key set replaces the one HS256 key kept in `settings`; that key stays active under
        // the `kid` it always had (derived from the secret), so tokens it signed keep verifying.
        migrator.registerMigration("v3") { db in
            try db.execute(sql: """
                CREATE TABLE signing_keys (
                    kid TEXT PRIMARY KEY,
                    alg TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('active', 'retiring', 'retired')),
                    material BLOB,
                    created_at INTEGER NOT NULL,
                    retires_at INTEGER
                );
                CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (status) WHERE status = 'active';
                """)
            if let secret = try Data.fetchOne(db, sql: "SELECT value FROM settings WHERE name = 'signing_key'") {
                let key = try SigningKey(bytes: Array(secret))
                try db.execute(
                    sql: "INSERT INTO signing_keys (kid, alg, status, material, created_at) VALUES (?, ?, 'active', ?, ?)",
                    arguments: [key.id, key.algorithm.rawValue, Data(try KeyMaterialCipher.none.seal(key)), UnixTime.now()])
                try db.execute(sql: "DELETE FROM settings WHERE name = 'signing_key'")
            }
        }
        // Secret rotation with a grace period, per-client token lifetimes, revoked tokens (with a
        // version counter, as for clients, so instances poll one integer) and the audit trail.
        migrator.registerMigration("v4") { db in
            try db.execute(sql: """
                ALTER TABLE clients ADD COLUMN previous_secret_hash BLOB;
                ALTER TABLE clients ADD COLUMN previous_secret_valid_until INTEGER;
                ALTER TABLE clients ADD COLUMN token_ttl INTEGER;
                CREATE TABLE revoked_tokens (
                    jti TEXT PRIMARY KEY,
                    client_id TEXT NOT NULL,
                    expires_at INTEGER NOT NULL,
                    revoked_at INTEGER NOT NULL
                );
                CREATE INDEX revoked_tokens_by_expiry ON revoked_tokens (expires_at);
                CREATE TABLE revocations_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
                INSERT INTO revocations_version (id, version) VALUES (1, 0);
                CREATE TRIGGER revoked_tokens_inserted AFTER INSERT ON revoked_tokens
                    BEGIN UPDATE revocations_version SET version = version + 1; END;
                CREATE TRIGGER revoked_tokens_deleted AFTER DELETE ON revoked_tokens
                    BEGIN UPDATE revocations_version SET version = version + 1; END;
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    detail TEXT NOT NULL
                );
                CREATE INDEX audit_by_time ON audit (at, id);
                """)
        }
        // Revocations numbered in commit order from the counter (instances read only the new
        // ones), client-wide rows for a client past its limit, and indexes to count a client's.
        migrator.registerMigration("v5") { db in
            try db.execute(sql: """
                ALTER TABLE revoked_tokens ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE revoked_tokens ADD COLUMN issued_before INTEGER;
                DROP TRIGGER revoked_tokens_inserted;
                DROP TRIGGER revoked_tokens_deleted;
                UPDATE revoked_tokens SET seq = rowid + (SELECT version FROM revocations_version);
                UPDATE revocations_version SET version = max(version, (SELECT coalesce(max(seq), 0) FROM revoked_tokens));
                CREATE INDEX revoked_tokens_in_order ON revoked_tokens (seq);
                CREATE INDEX revoked_tokens_by_client ON revoked_tokens (client_id, expires_at);
                """)
        }
        return migrator
    }
}
