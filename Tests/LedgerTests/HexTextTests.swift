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
}
