#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Prometheus
import Synchronization

/// The standard `process_*` figures of Prometheus client libraries (CPU seconds, resident and
/// virtual memory, open and maximum file descriptors, start time), read from `/proc/self` when
/// `/metrics` is scraped. Written here because swift-metrics' system-metrics package is not among
/// our dependencies, and reading two small files per scrape is all it would do. Elsewhere than
/// Linux only the file-descriptor limit is reported.
///
/// ```swift
/// let process = ProcessMetrics(registry: PrometheusBootstrap.registry)
/// process.update()   // before each emit
/// ```
final class ProcessMetrics: Sendable {
    private let maximumFileDescriptors: Gauge
    #if os(Linux)
    private let cpuSeconds: Prometheus.Counter
    private let residentBytes: Gauge
    private let virtualBytes: Gauge
    private let openFileDescriptors: Gauge
    private let startTime: Gauge
    /// CPU seconds already added to the counter (which only goes up by increments).
    private let countedCPUSeconds = Mutex(0.0)
    #endif

    init(registry: PrometheusCollectorRegistry) {
        maximumFileDescriptors = registry.makeGauge(descriptor: Self.described("process_max_fds", "Limit of open file descriptors."))
        #if os(Linux)
        cpuSeconds = registry.makeCounter(descriptor: Self.described("process_cpu_seconds_total", "User and system CPU time spent, in seconds."))
        residentBytes = registry.makeGauge(descriptor: Self.described("process_resident_memory_bytes", "Resident memory size in bytes."))
        virtualBytes = registry.makeGauge(descriptor: Self.described("process_virtual_memory_bytes", "Virtual memory size in bytes."))
        openFileDescriptors = registry.makeGauge(descriptor: Self.described("process_open_fds", "Open file descriptors."))
        startTime = registry.makeGauge(descriptor: Self.described("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds."))
        #endif
    }

    private static func described(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// Reads the figures now.
    func update() {
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { maximumFileDescriptors.set(Double(limit.rlim_cur)) }
        #if os(Linux)
        if let stat = Self.stat() {
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
            let cpu = (stat.userTicks + stat.systemTicks) / ticks
            let delta = countedCPUSeconds.withLock { counted in
                defer { counted = max(counted, cpu) }
                return cpu - counted
            }
            if delta > 0 { cpuSeconds.increment(by: delta) }
            residentBytes.set(stat.residentPages * pageSize)
            virtualBytes.set(stat.virtualBytes)
            if let boot = Self.bootTime() { startTime.set(boot + stat.startTicks / ticks) }
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            // The listing itself holds one descriptor while it runs.
            openFileDescriptors.set(Double(max(0, entries.count - 1)))
        }
        #endif
    }

    #if os(Linux)
    private struct Stat {
        var userTicks: Double
        var systemTicks: Double
        var startTicks: Double
        var virtualBytes: Double
        var residentPages: Double
    }

    /// Fields 14, 15, 22, 23 and 24 of `/proc/self/stat` (proc(5)), counted after the command
    /// name, which is in parentheses and may itself hold spaces.
    private static func stat() -> Stat? {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state).
        func field(_ number: Int) -> Double? { fields.count > number - 3 ? Double(fields[number - 3]) : nil }
        guard let user = field(14), let system = field(15), let start = field(22), let virtual = field(23), let resident = field(24)
        else { return nil }
        return Stat(userTicks: user, systemTicks: system, startTicks: start, virtualBytes: virtual, residentPages: resident)
    }

    /// `btime` of `/proc/stat`: when the machine booted, in seconds since the epoch.
    private static func bootTime() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix("btime ") }.flatMap { Double($0.dropFirst(6)) }
    }
    #endif
}
