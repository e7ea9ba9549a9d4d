import Crypto
import Ledger
import Testing

@Suite("Hex text")
struct HexTextTests {
    @Test("bytes spell as two digits each, leading zeros kept, in either case")
    func spelling() {
        let bytes: [UInt8] = [0x00, 0x0F, 0xA5, 0xFF, 0x10]
        #expect(bytes.hexString == "000fa5ff10")
        #expect(bytes.upperHexString == "000FA5FF10")
        #expect([UInt8]().hexString.isEmpty)
    }

    @Test("every byte value has its own spelling, as printf's %02x gives it")
    func everyByte() {
        for byte in UInt8.min...UInt8.max {
            let expected = (byte < 16 ? "0" : "") + String(byte, radix: 16)
            #expect([byte].hexString == expected)
            #expect([byte].upperHexString == expected.uppercased())
        }
    }

    @Test("a SHA-256 digest spells as FIPS 180-2 gives it, read in place as from a copy of its bytes")
    func digest() {
        let digest = SHA256.hash(data: Array("abc".utf8))
        let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(digest.hexString == expected)
        #expect(Array(digest).hexString == expected)
    }

    @Test("a sequence without contiguous storage spells the same as an array of its bytes")
    func lazySequence() {
        let bytes = (0...255).lazy.map { UInt8($0) }
        #expect(bytes.hexString == Array(bytes).hexString)
        #expect(bytes.upperHexString == Array(bytes).upperHexString)
        #expect(bytes.hexString.count == 512)
    }
}
