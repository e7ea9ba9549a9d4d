import FuzzDriver
import Ledger

@testable import API

/// Any bytes as an OCPP-J frame from a charger: parsed, and a CALL's payload checked against its
/// OCPP 1.6 schema — a frame, a `Malformed` or a schema refusal, never a crash or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    guard let frame = try? OCPPFrame(parsing: text), case let .call(messageId, action, payload) = frame else { return 0 }
    _ = try? OCPP16Schema.check(action, payload, messageId: messageId)
    _ = frame.text
    return 0
}

@_cdecl("FuzzOCPPFrame_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
