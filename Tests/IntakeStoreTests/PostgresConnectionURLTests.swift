import IntakePostgres
import PostgresNIO
import Testing

/// `--database postgres://…` as operators write it, special characters percent-encoded once.
@Suite struct PostgresConnectionURLTests {
    @Test func aPasswordWithPercentAndAtSignsIsDecodedOnce() throws {
        // The password is `p%41@b:c/d`; `%` is `%25`, `@` is `%40`, `:` is `%3A`, `/` is `%2F`.
        let configuration = try PostgresConnectionURL.configuration(
            from: "postgres://intake:p%2541%40b%3Ac%2Fd@db.example.com:6543/events?sslmode=disable")
        #expect(configuration.password == "p%41@b:c/d")
        #expect(configuration.username == "intake")
        #expect(configuration.host == "db.example.com")
        #expect(configuration.port == 6543)
        #expect(configuration.database == "events")
    }

    @Test func aUserNameIsRequired() {
        #expect(throws: PostgresConnectionURL.Invalid.self) {
            try PostgresConnectionURL.configuration(from: "postgres://db.example.com/events")
        }
    }
}
