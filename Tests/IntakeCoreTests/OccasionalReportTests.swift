import IntakeCore
import Testing

@Suite("Occasional reports")
struct OccasionalReportTests {
    @Test func theFirstIsReportedAtOnceAndTheRestOncePerIntervalWithTheirCount() {
        var report = OccasionalReport(interval: .seconds(1))
        let start = ContinuousClock.now
        #expect(report.record(at: start) == 1)
        // 12,000 more within the same second: silent.
        for step in 1...12_000 {
            #expect(report.record(at: start + .microseconds(step * 80)) == nil)
        }
        // The first occurrence a second after the last report carries everything since.
        #expect(report.record(at: start + .seconds(1)) == 12_001)
        #expect(report.record(at: start + .milliseconds(1500)) == nil)
        #expect(report.record(at: start + .seconds(5)) == 2)
    }
}
