extension Duration {
    /// The duration in whole nanoseconds (saturating far past any span measured here), for
    /// swift-metrics' timers and log lines.
    package var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds.saturatingMultiplied(by: 1_000_000_000).saturatingAdding(attoseconds / 1_000_000_000)
    }
}
