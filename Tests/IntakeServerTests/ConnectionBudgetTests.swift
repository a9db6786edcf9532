import IntakeCore
import NIOCore
import NIOEmbedded
import Testing

@testable import IntakeServer

/// The budget's decisions, on embedded channels: who is let in, who is closed to make room.
@Suite("Connection budget")
struct ConnectionBudgetTests {
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    static func channel() async throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).get()
        return channel
    }

    static func admitted(_ admission: ConnectionBudget.Admission) -> (slot: ConnectionSlot, evicted: ConnectionSlot?)? {
        guard case .admitted(let slot, let evicted) = admission else { return nil }
        return (slot, evicted)
    }

    @Test func aFullBudgetClosesTheOldestConnectionThatHasSentNoRequest() async throws {
        let budget = ConnectionBudget(limit: 3)
        var slots: [ConnectionSlot] = []
        for index in 0..<3 {
            let admission = budget.admit(try await Self.channel(), from: IPAddress("192.0.2.\(index + 1)"), at: Self.start + .seconds(Int64(index)))
            slots.append(try #require(Self.admitted(admission)?.slot))
        }
        slots[0].markRequestSent()
        let newcomer = try await Self.channel()
        let admission = try #require(Self.admitted(budget.admit(newcomer, from: IPAddress("198.51.100.9"), at: Self.start + .seconds(9))))
        #expect(admission.evicted === slots[1], "the oldest without a request goes, not the older one that sent a request")
        #expect(!slots[1].channel.isActive)
        #expect(slots[0].channel.isActive && slots[2].channel.isActive)
        #expect(budget.count == 3)
        // The evicted connection's close releases nothing twice.
        budget.release(slots[1])
        #expect(budget.count == 3)
    }

    @Test func whenEveryConnectionHasSentARequestANewOneIsRefused() async throws {
        let budget = ConnectionBudget(limit: 2)
        for index in 0..<2 {
            let slot = try #require(Self.admitted(budget.admit(try await Self.channel(), from: IPAddress("192.0.2.\(index + 1)")))?.slot)
            slot.markRequestSent()
        }
        guard case .refused(.total) = budget.admit(try await Self.channel(), from: IPAddress("198.51.100.9")) else {
            Issue.record("a connection past a budget of busy ones was let in")
            return
        }
        #expect(budget.count == 2)
    }

    @Test func anIPv6Slash64CountsAsOneSource() async throws {
        let budget = ConnectionBudget(limit: 100, limitPerAddress: 2)
        for suffix in ["1", "2"] {
            #expect(Self.admitted(budget.admit(try await Self.channel(), from: IPAddress("2001:db8:0:1::\(suffix)"))) != nil)
        }
        guard case .refused(.perAddress) = budget.admit(try await Self.channel(), from: IPAddress("2001:db8:0:1:ffff::3")) else {
            Issue.record("a third address of the same /64 was let in past a limit of 2")
            return
        }
        #expect(Self.admitted(budget.admit(try await Self.channel(), from: IPAddress("2001:db8:0:2::1"))) != nil, "another /64 is another source")
        #expect(Self.admitted(budget.admit(try await Self.channel(), from: IPAddress("192.0.2.1"))) != nil)
    }

    @Test func releasingAPlaceLetsTheSourceInAgain() async throws {
        let budget = ConnectionBudget(limit: 10, limitPerAddress: 1)
        let slot = try #require(Self.admitted(budget.admit(try await Self.channel(), from: IPAddress("192.0.2.1")))?.slot)
        #expect(Self.admitted(budget.admit(try await Self.channel(), from: IPAddress("192.0.2.1"))) == nil)
        budget.release(slot)
        #expect(Self.admitted(budget.admit(try await Self.channel(), from: IPAddress("192.0.2.1"))) != nil)
    }
}
