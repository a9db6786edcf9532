import Foundation

extension IntakeClient {
    /// A fresh `Idempotency-Key`: a version 7 UUID (RFC 9562), 48 bits of Unix milliseconds then 74
    /// random bits. Time-ordered keys land at the end of the server's key index instead of at random
    /// pages in it, which keeps each commit small; the random part keeps them unguessable and unique.
    ///
    /// Keep the key with the event when a send must survive a restart of your own process, and pass
    /// it again on the retry:
    ///
    /// ```swift
    /// let key = IntakeClient.makeIdempotencyKey()   // e.g. "019ad2a4-8f31-7c3e-9b1d-5e0f4a7c2d61"
    /// let receipt = try await client.send(event, idempotencyKey: key)
    /// ```
    public static func makeIdempotencyKey() -> String {
        let milliseconds = UInt64(max(Date().timeIntervalSince1970 * 1000, 0))
        var random = SystemRandomNumberGenerator()
        let high = random.next() as UInt64
        let low = random.next() as UInt64
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 {
            bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(index)))
        }
        for index in 6..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: high >> (8 * UInt64(index)))
        }
        for index in 8..<16 {
            bytes[index] = UInt8(truncatingIfNeeded: low >> (8 * UInt64(index - 8)))
        }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)   // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3F)   // variant 10
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        )).uuidString.lowercased()
    }
}
