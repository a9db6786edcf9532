extension Int64 {
    /// `self + other`, pinned to `Int64.min`/`Int64.max` instead of trapping: token claims are
    /// attacker-chosen and must never crash the server through arithmetic.
    package func saturatingAdding(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }

    /// `self * other`, pinned to `Int64.min`/`Int64.max` instead of trapping.
    package func saturatingMultiplied(by other: Int64) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        guard overflow else { return product }
        return (self < 0) == (other < 0) ? .max : .min
    }

    /// `self - other`, pinned to `Int64.min`/`Int64.max` instead of trapping.
    package func saturatingSubtracting(_ other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        guard overflow else { return difference }
        return other > 0 ? .min : .max
    }
}
