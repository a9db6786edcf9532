import PostgresNIO

extension PostgresStore {
    /// Versioned migrations, in order; each version's statements run in one transaction.
    static let migrations: [(version: Int, statements: [String])] = [
        (
            1,
            [
                "CREATE TABLE settings (name TEXT PRIMARY KEY, value BYTEA NOT NULL)",
                """
                CREATE TABLE clients (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    account TEXT NOT NULL,
                    scopes TEXT NOT NULL,
                    secret_hash BYTEA NOT NULL,
                    enabled BOOLEAN NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE TABLE clients_version (id INT PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL)",
                "INSERT INTO clients_version (id, version) VALUES (1, 0)",
                """
                CREATE FUNCTION intake_bump_clients_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE clients_version SET version = version + 1 WHERE id = 1;
                    RETURN NULL;
                END
                $$
                """,
                """
                CREATE TRIGGER clients_changed AFTER INSERT OR UPDATE OR DELETE ON clients
                    FOR EACH STATEMENT EXECUTE FUNCTION intake_bump_clients_version()
                """,
                """
                CREATE TABLE events (
                    id BIGSERIAL PRIMARY KEY,
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
                    created_at BIGINT NOT NULL,
                    received_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX events_by_account ON events (account, id)",
                "CREATE INDEX events_by_source ON events (account, source_id, id)",
                """
                CREATE TABLE idempotency_keys (
                    client_id TEXT NOT NULL,
                    key TEXT NOT NULL,
                    fingerprint BYTEA NOT NULL,
                    status INT NOT NULL,
                    body BYTEA NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (client_id, key)
                )
                """,
                "CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at)",
            ]
        ),
        (
            // Idempotency keys keep the receipts of the events they stored, not a rendered HTTP
            // answer. Keys stored by version 1 (at most a day's worth) are forgotten. Reads filtered
            // by type or by time get indexes of their own.
            2,
            [
                "DELETE FROM idempotency_keys",
                "ALTER TABLE idempotency_keys DROP COLUMN status, DROP COLUMN body",
                "ALTER TABLE idempotency_keys ADD COLUMN event_ids TEXT NOT NULL, ADD COLUMN received_at BIGINT NOT NULL",
                "CREATE INDEX events_by_type ON events (account, event_type, id)",
                "CREATE INDEX events_by_creation ON events (account, created_at, id)",
            ]
        ),
        (
            // The key set replaces the one HS256 key kept in `settings`; that key stays active under
            // the `kid` it always had (the first 12 bytes of the secret's SHA-256, base64url), so
            // tokens it signed keep verifying. A leading zero byte marks material stored in the clear.
            3,
            [
                """
                CREATE TABLE signing_keys (
                    kid TEXT PRIMARY KEY,
                    alg TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('active', 'retiring', 'retired')),
                    material BYTEA,
                    created_at BIGINT NOT NULL,
                    retires_at BIGINT
                )
                """,
                "CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (status) WHERE status = 'active'",
                """
                INSERT INTO signing_keys (kid, alg, status, material, created_at)
                SELECT rtrim(translate(encode(substring(sha256(value) FROM 1 FOR 12), 'base64'), '+/', '-_'), '='),
                       'HS256', 'active', decode('00', 'hex') || value, extract(epoch FROM now())::bigint
                FROM settings WHERE name = 'signing_key'
                """,
                "DELETE FROM settings WHERE name = 'signing_key'",
            ]
        ),
        (
            // Secret rotation with a grace period, per-client token lifetimes, revoked tokens (with
            // a version counter, as for clients, so instances poll one integer; bumped per row, so
            // a repeated revocation or an empty purge makes no instance reload) and the audit trail.
            4,
            [
                """
                ALTER TABLE clients ADD COLUMN previous_secret_hash BYTEA, ADD COLUMN previous_secret_valid_until BIGINT,
                    ADD COLUMN token_ttl BIGINT
                """,
                """
                CREATE TABLE revoked_tokens (
                    jti TEXT PRIMARY KEY,
                    client_id TEXT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    revoked_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX revoked_tokens_by_expiry ON revoked_tokens (expires_at)",
                "CREATE TABLE revocations_version (id INT PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL)",
                "INSERT INTO revocations_version (id, version) VALUES (1, 0)",
                """
                CREATE FUNCTION intake_bump_revocations_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE revocations_version SET version = version + 1 WHERE id = 1;
                    RETURN NULL;
                END
                $$
                """,
                """
                CREATE TRIGGER revoked_tokens_changed AFTER INSERT OR DELETE ON revoked_tokens
                    FOR EACH ROW EXECUTE FUNCTION intake_bump_revocations_version()
                """,
                """
                CREATE TABLE audit (
                    id BIGSERIAL PRIMARY KEY,
                    at BIGINT NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    detail TEXT NOT NULL
                )
                """,
                "CREATE INDEX audit_by_time ON audit (at, id)",
            ]
        ),
        (
            // Instances commit events concurrently (no lock orders them), so an event can commit
            // after one with a higher id. Each row records its transaction; reads page in commit
            // order, (txid, id), over transactions older than any event writer still running. Rows
            // from before get transaction 0 and come first, in id order.
            5,
            [
                "ALTER TABLE events ADD COLUMN txid xid8 NOT NULL DEFAULT '0'",
                "ALTER TABLE events ALTER COLUMN txid SET DEFAULT pg_current_xact_id()",
                "CREATE INDEX events_by_account_commit ON events (account, txid, id)",
                "CREATE INDEX events_by_source_commit ON events (account, source_id, txid, id)",
                "CREATE INDEX events_by_type_commit ON events (account, event_type, txid, id)",
                "CREATE INDEX events_by_commit ON events (txid, id)",
                "DROP INDEX events_by_account",
                "DROP INDEX events_by_source",
                "DROP INDEX events_by_type",
            ]
        ),
        (
            // Revocations numbered in commit order from the counter (instances read only the new
            // ones), client-wide rows for a client past its limit, and indexes to count a client's.
            6,
            [
                "ALTER TABLE revoked_tokens ADD COLUMN seq BIGINT NOT NULL DEFAULT 0, ADD COLUMN issued_before BIGINT",
                "DROP TRIGGER revoked_tokens_changed ON revoked_tokens",
                "DROP FUNCTION intake_bump_revocations_version()",
                """
                UPDATE revoked_tokens SET seq = numbered.n + (SELECT version FROM revocations_version WHERE id = 1)
                FROM (SELECT jti, row_number() OVER (ORDER BY jti) AS n FROM revoked_tokens) AS numbered
                WHERE revoked_tokens.jti = numbered.jti
                """,
                "UPDATE revocations_version SET version = GREATEST(version, (SELECT coalesce(max(seq), 0) FROM revoked_tokens)) WHERE id = 1",
                "CREATE INDEX revoked_tokens_in_order ON revoked_tokens (seq)",
                "CREATE INDEX revoked_tokens_by_client ON revoked_tokens (client_id, expires_at)",
            ]
        ),
    ]

    /// Advisory lock ids: one for migrations; one that every event-writing statement holds shared
    /// (writers never wait for each other; readers list its holders, see ``eventPage(_:)``); one
    /// that makes rotations of the key set take turns.
    static let migrationLock: Int64 = 0x696E_7461_6B65_0001
    package static let eventWriterLock: Int64 = 0x696E_7461_6B65_0002
    static let keyRotationLock: Int64 = 0x696E_7461_6B65_0003

    /// Applies pending migrations. Instances starting together take turns on an advisory lock.
    package func migrate() async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS intake_migrations (version INT PRIMARY KEY, applied_at BIGINT NOT NULL)",
                logger: logger)
            var applied: Set<Int> = []
            for try await version in try await connection.query("SELECT version FROM intake_migrations", logger: logger)
                .decode(Int.self)
            {
                applied.insert(version)
            }
            for migration in Self.migrations where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO intake_migrations (version, applied_at) VALUES (\(migration.version), extract(epoch from now())::bigint)",
                    logger: logger)
            }
        }
    }
}
