import Foundation
import Ledger
import Testing

@Suite("Time-ordered ids")
struct TimeOrderedUUIDTests {
    @Test("a version 7 UUID (RFC 9562): version 7, the RFC's variant, the Unix milliseconds in the first 48 bits")
    func layout() {
        let id = UUID.timeOrdered(at: Timestamp(millisecondsSinceEpoch: 1_796_651_110_500))
        let text = id.uuidString.lowercased()
        #expect(text.filter { $0 != "-" }.prefix(12) == "01a250c05064", "1,796,651,110,500 ms")
        #expect(Array(text)[14] == "7")
        #expect(["8", "9", "a", "b"].contains(Array(text)[19]))
    }

    @Test("ids of later milliseconds sort after earlier ones, as text too: appends reach the last pages of an index")
    func ordered() {
        let ids = (0..<100).map { UUID.timeOrdered(at: Timestamp(millisecondsSinceEpoch: 1_796_651_110_000 + $0)).uuidString.lowercased() }
        #expect(ids == ids.sorted())
    }

    @Test("ids made in the same millisecond differ")
    func unique() {
        let now = Timestamp(Date())
        let ids = Set((0..<10_000).map { _ in UUID.timeOrdered(at: now) })
        #expect(ids.count == 10_000)
    }
}
