import Foundation
import Ledger
import LedgerTesting
import Testing

/// `Database.inList`: an IN list of any length is one of a few statement texts (the statement
/// cache is keyed by text), and the padding changes nothing the query finds.
@Suite("IN lists")
struct InListTests {
    @Test("lengths 1 to 512 make ten statement shapes, each padded with the last value")
    func shapes() {
        var shapes = Set<String>()
        for count in 1...512 {
            let values = (0..<count).map { SQLValue.integer(Int64($0)) }
            let list = Database.inList(values)
            shapes.insert(list.placeholders)
            #expect(list.arguments.count >= count && list.arguments.count < 2 * count + 1)
            #expect(Array(list.arguments.prefix(count)) == values)
            #expect(list.arguments.dropFirst(count).allSatisfy { $0 == values.last })
        }
        #expect(shapes.count == 10)
        #expect(Database.inList([]).arguments.isEmpty)
    }

    @Test("a padded list finds exactly the rows of the values given")
    func paddedListFindsTheSameRows() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Database.open(path: directory.path("scratch.sqlite"))
        try database.execute("CREATE TABLE t (key TEXT PRIMARY KEY, body TEXT)")
        for key in ["a", "b", "c", "d", "e"] { try database.execute("INSERT INTO t VALUES (?, ?)", [.text(key), .text(key.uppercased())]) }
        let list = Database.inList(["a", "c", "e"].map(SQLValue.text))
        #expect(list.arguments.count == 4)
        var found: [String] = []
        try database.forEachRow("SELECT body FROM t WHERE key IN \(list.placeholders) ORDER BY key", list.arguments) {
            found.append($0[0].text ?? "")
        }
        #expect(found == ["A", "C", "E"])
    }
}
