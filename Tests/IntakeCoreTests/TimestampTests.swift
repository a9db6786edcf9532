import IntakeCore
import Testing

@Suite("Timestamp")
struct TimestampTests {
    /// 2019-12-02T10:00:00Z
    static let reference: Int64 = 1_575_280_800_000

    static let parsesUTCCases: [(String, Int64)] = [
        ("2019-12-02T10:00:00.000Z", reference),
        ("2019-12-02T10:00:00Z", reference),
        ("2019-12-02t10:00:00z", reference),
        ("2019-12-02T10:00:00.000z", reference),
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T00:00:00.001Z", 1),
        ("1969-12-31T23:59:59.999Z", -1),
        ("2000-01-01T00:00:00Z", 946_684_800_000),
        ("2038-01-19T03:14:08Z", 2_147_483_648_000),
        ("9999-12-31T23:59:59.999Z", 253_402_300_799_999),
    ]

    @Test(arguments: parsesUTCCases)
    func parsesUTC(text: String, expected: Int64) {
        #expect(Timestamp.parse(text) == expected)
    }

    static let appliesOffsetsCases: [(String, Int64)] = [
        ("2019-12-02T12:00:00+02:00", reference),
        ("2019-12-02T12:00:00+0200", reference),
        ("2019-12-02T04:30:00-05:30", reference),
        ("2019-12-02T04:30:00-0530", reference),
        ("2019-12-02T10:00:00+00:00", reference),
        ("2019-12-02T10:00:00-00:00", reference),
        ("2019-12-02T12:00:00.250+02:00", reference + 250),
        ("2019-12-03T00:00:00+14:00", reference),
        ("2019-12-01T22:00:00-12:00", reference),
    ]

    @Test(arguments: appliesOffsetsCases)
    func appliesOffsets(text: String, expected: Int64) {
        #expect(Timestamp.parse(text) == expected)
    }

    static let parsesOneToThreeFractionDigitsCases: [(String, Int64)] = [
        ("2019-12-02T10:00:00.5Z", reference + 500),
        ("2019-12-02T10:00:00.05Z", reference + 50),
        ("2019-12-02T10:00:00.12Z", reference + 120),
        ("2019-12-02T10:00:00.123Z", reference + 123),
        ("2019-12-02T10:00:00.999Z", reference + 999),
        ("2019-12-02T10:00:00.0Z", reference),
    ]

    @Test(arguments: parsesOneToThreeFractionDigitsCases)
    func parsesOneToThreeFractionDigits(text: String, expected: Int64) {
        #expect(Timestamp.parse(text) == expected)
    }

    static let parsesFourToNineFractionDigitsCases: [(String, Int64)] = [
        ("2019-12-02T10:00:00.1234Z", reference + 123),
        ("2019-12-02T10:00:00.12345Z", reference + 123),
        ("2019-12-02T10:00:00.123456Z", reference + 123),
        ("2019-12-02T10:00:00.1234567Z", reference + 123),
        ("2019-12-02T10:00:00.12345678Z", reference + 123),
        ("2019-12-02T10:00:00.123456789Z", reference + 123),
        ("2019-12-02T12:00:00.000000+02:00", reference),
        ("2019-12-02T10:00:00.9999Z", reference + 999),
    ]

    /// 4 to 9 fraction digits (microseconds from Python's `isoformat()`, nanoseconds from Go's
    /// `time.RFC3339Nano`) keep the milliseconds. Run in a child process: a crash there must fail
    /// this test, not take the whole test run down.
    @Test(arguments: parsesFourToNineFractionDigitsCases)
    func parsesFourToNineFractionDigits(text: String, expected: Int64) async {
        await #expect(processExitsWith: .success) { [text, expected] in
            precondition(Timestamp.parse(text) == expected, "parse(\(text)) != \(expected)")
        }
    }

    @Test func refusesTenFractionDigitsOrNone() async {
        await #expect(processExitsWith: .success) {
            precondition(Timestamp.parse("2019-12-02T10:00:00.1234567890Z") == nil)
            precondition(Timestamp.parse("2019-12-02T10:00:00.Z") == nil)
        }
    }

    static let acceptsLeapDaysCases: [(String, Int64)] = [
        ("2000-02-29T00:00:00Z", Int64(951_782_400_000)),
        ("2024-02-29T12:00:00Z", 1_709_208_000_000),
        ("2400-02-29T00:00:00Z", 13_574_563_200_000),
        ("1972-02-29T00:00:00Z", 68_169_600_000),
    ]

    @Test(arguments: acceptsLeapDaysCases)
    func acceptsLeapDays(text: String, expected: Int64) {
        #expect(Timestamp.parse(text) == expected)
    }

    @Test(arguments: [
        "2019-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2019-02-30T00:00:00Z",
        "2020-02-30T00:00:00Z", "2019-04-31T00:00:00Z", "2019-06-31T00:00:00Z", "2019-09-31T00:00:00Z",
        "2019-11-31T00:00:00Z", "2019-01-32T00:00:00Z", "2019-00-10T00:00:00Z", "2019-13-01T00:00:00Z",
        "2019-01-00T00:00:00Z", "2019-12-02T24:00:00Z", "2019-12-02T23:60:00Z", "2019-12-02T23:59:61Z",
    ])
    func refusesInvalidDatesAndTimes(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func toleratesALeapSecond() {
        #expect(Timestamp.parse("2016-12-31T23:59:60Z") == Timestamp.parse("2016-12-31T23:59:59Z"))
    }

    @Test(arguments: [
        "", "garbage", "2019-12-02", "2019-12-02T10:00", "2019-12-02T10:00:00", "2019-12-02T10:00:00.000",
        "2019/12/02T10:00:00Z", "2019-12-02X10:00:00Z", "2019-12-02T10-00-00Z", "19-12-02T10:00:00Z",
        "2019-1-02T10:00:00Z", "2019-12-02T10:00:00Zjunk", "2019-12-02T10:00:00ZZ", "2019-12-02T10:00:00+2:00",
        "2019-12-02T10:00:00+02:0", "2019-12-02T10:00:00+24:00", "2019-12-02T10:00:00+02:60", "2019-12-02T10:00:00 +02:00",
        "2019-12-02T10:00:00+02:00junk", "2019-12-02T10:00:00Y", " 2019-12-02T10:00:00Z", "2019-12-02T10:00:00Z ",
        "abcd-ef-ghTij:kl:mnZ", "2019-12-02T1a:00:00Z", "-019-12-02T10:00:00Z", "2019-12-02T10:00:00.abcZ",
        "2019-12-02T10:00:00,000Z", "２０１９-12-02T10:00:00Z",
    ])
    func refusesGarbage(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    static let formatCases: [(Int64, String)] = [
        (reference, "2019-12-02T10:00:00.000Z"),
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (-86_400_000, "1969-12-31T00:00:00.000Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (951_868_799_999, "2000-02-29T23:59:59.999Z"),
        (1_709_208_000_007, "2024-02-29T12:00:00.007Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
    ]

    @Test(arguments: formatCases)
    func formatsUTCWithMilliseconds(millis: Int64, expected: String) {
        #expect(Timestamp.format(millis) == expected)
    }

    @Test(arguments: [
        ("2019-12-02T10:00:00.000Z", "2019-12-02T10:00:00.000Z"),
        ("2019-12-02T10:00:00Z", "2019-12-02T10:00:00.000Z"),
        ("2019-12-02t10:00:00.5z", "2019-12-02T10:00:00.500Z"),
        ("2019-12-02T12:00:00+02:00", "2019-12-02T10:00:00.000Z"),
        ("2020-01-01T00:30:00+01:00", "2019-12-31T23:30:00.000Z"),
        ("2019-12-31T23:30:00.042-0530", "2020-01-01T05:00:00.042Z"),
        ("2000-02-29T23:59:59.999Z", "2000-02-29T23:59:59.999Z"),
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"),
    ])
    func formatOfParseIsTheCanonicalForm(text: String, canonical: String) throws {
        let millis = try #require(Timestamp.parse(text))
        #expect(Timestamp.format(millis) == canonical)
        #expect(Timestamp.parse(canonical) == millis)
    }

    @Test func parseOfFormatRoundTripsAcrossCenturies() {
        // Every ~3.7 days from 1900 to 2300, with a varying millisecond part.
        var millis: Int64 = -2_208_988_800_000
        var count = 0
        while millis < 10_413_792_000_000 {
            let text = Timestamp.format(millis)
            #expect(Timestamp.parse(text) == millis, "\(millis) → \(text)")
            millis += 321_987_654_321 / 1000
            count += 1
        }
        #expect(count > 1000)
    }
}
