import API
import FuzzDriver

/// Any bytes as a `response_url`: checked by the policy (with and without listed hosts) — a URL the
/// HTTP client can take, or a refusal; never a crash (a port of 99999 once trapped the process).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    for policy in policies {
        if let url = try? policy.check(text) { precondition((1...65535).contains(url.port) && !url.host.isEmpty) }
    }
    return 0
}

private let policies = [
    ResponseURLPolicy(iopURL: nil, allowedHosts: []),
    ResponseURLPolicy(iopURL: "https://iop.example.net/ocpi/emsp/2.1.1", allowedHosts: ["127.0.0.1"]),
]

@_cdecl("FuzzResponseURL_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
