import API
import FuzzDriver
import Ledger

/// Any bytes as an OCPI command body from the IOP, for each command: JSON, then the field-by-field
/// validation — a request or a refusal with a message, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let body = try? JSONValue(parsing: UnsafeBufferPointer(start: start, count: count)) else { return 0 }
    for type in CommandType.allCases { _ = try? CommandRequest(type: type, body: body) }
    return 0
}

@_cdecl("FuzzCommandRequest_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
