import IntakeCore
import NIOCore
import Synchronization

/// One admitted connection's place in the ``ConnectionBudget``: when it opened, and whether a
/// request has arrived on it yet (``HTTP1ConnectionPolicy`` marks it when the first request's head
/// is complete), which decides whether it may be closed to make room.
final class ConnectionSlot: Sendable {
    let channel: any Channel
    /// The source it counts against, nil for a Unix socket.
    let source: IPAddress?
    let openedAt: NIODeadline
    private let sentRequest = Atomic<Bool>(false)

    init(channel: any Channel, source: IPAddress?, openedAt: NIODeadline) {
        self.channel = channel
        self.source = source
        self.openedAt = openedAt
    }

    var hasSentRequest: Bool { sentRequest.load(ordering: .relaxed) }

    func markRequestSent() {
        sentRequest.store(true, ordering: .relaxed)
    }
}
