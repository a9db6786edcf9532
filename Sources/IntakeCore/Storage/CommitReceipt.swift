/// The id and arrival time the store gave one event when it committed it.
package struct CommitReceipt: Sendable, Hashable {
    package var id: Int64
    /// Milliseconds since 1970.
    package var receivedAt: Int64

    package init(id: Int64, receivedAt: Int64) {
        self.id = id
        self.receivedAt = receivedAt
    }
}
