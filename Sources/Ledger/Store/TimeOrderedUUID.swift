import Foundation

extension UUID {
    /// A version 7 UUID (RFC 9562 §5.7): the Unix time in milliseconds in its first 48 bits, then
    /// 74 random bits — the ids of events and commands.
    ///
    /// Why not `UUID()` (version 4, all random): every id is a key in a B-tree — `events.event_id`,
    /// a command's stream and correlation ids, the `commands` table — and random keys put each
    /// append on a page of its own, so one group commit wrote a WAL frame per id per index. Ids
    /// that grow with time land on the last pages, which the requests of one commit share.
    /// Foundation's `UUID()` also opened, read and closed `/dev/urandom` for each id (3.3 µs);
    /// this asks the system generator (`getrandom`) twice. START_SESSION at 32 connections: 46 ->
    /// 29 `pwrite`s and 11 -> 2.6 `pread`s per request, 600-700 -> 375-395 CPU-µs per request
    /// (docs/performance.md, issue 31).
    ///
    /// The time is public anyway (every event carries `recorded_at`); uniqueness rests on the 74
    /// random bits, as a version 4 UUID's rests on its 122, among the ids of one millisecond.
    public static func timeOrdered(at time: Timestamp = Timestamp(Date())) -> UUID {
        var random = SystemRandomNumberGenerator()
        let milliseconds = UInt64(clamping: time.millisecondsSinceEpoch)
        let high = random.next() as UInt64
        let low = random.next() as UInt64
        func byte(_ value: UInt64, _ shift: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: value >> shift) }
        return UUID(
            uuid: (
                byte(milliseconds, 40), byte(milliseconds, 32), byte(milliseconds, 24),
                byte(milliseconds, 16), byte(milliseconds, 8), byte(milliseconds, 0),
                0x70 | (byte(high, 56) & 0x0F), byte(high, 48),  // version 7, then 12 random bits
                0x80 | (byte(high, 40) & 0x3F), byte(high, 32),  // the RFC's variant, then 62 random bits
                byte(high, 24), byte(high, 16), byte(high, 8), byte(high, 0),
                byte(low, 8), byte(low, 0)
            )
        )
    }
}
