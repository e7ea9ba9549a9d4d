// swift-tools-version: 6.1
// libFuzzer harnesses for what the ledger parses from outside: OCPP-J frames and their 1.6
// payloads, OCPI command bodies, and the URLs it would call. Built and run by Fuzz/run (see there);
// never part of `scripts/test`, which must stay one debug build.
import PackageDescription

// Each harness's entry (`<Target>_main`, as SwiftPM links executables) starts libFuzzer's driver
// (FuzzDriver); libFuzzer is linked into the harnesses only (-sanitize=fuzzer here), while Fuzz/run
// instruments every module for coverage and AddressSanitizer.
let harness: [SwiftSetting] = [.unsafeFlags(["-parse-as-library", "-sanitize=fuzzer,address"]), .swiftLanguageMode(.v6)]
let linkFuzzer: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]

let package = Package(
    name: "chargeledger-fuzz",
    dependencies: [.package(name: "chargeledger", path: "..")],
    targets: [
        .target(name: "FuzzDriver", swiftSettings: [.swiftLanguageMode(.v6)]),
        .executableTarget(name: "FuzzOCPPFrame", dependencies: ["FuzzDriver", .product(name: "API", package: "chargeledger"), .product(name: "Ledger", package: "chargeledger")],
                          swiftSettings: harness, linkerSettings: linkFuzzer),
        .executableTarget(name: "FuzzCommandRequest", dependencies: ["FuzzDriver", .product(name: "API", package: "chargeledger"), .product(name: "Ledger", package: "chargeledger")],
                          swiftSettings: harness, linkerSettings: linkFuzzer),
        .executableTarget(name: "FuzzResponseURL", dependencies: ["FuzzDriver", .product(name: "API", package: "chargeledger")],
                          swiftSettings: harness, linkerSettings: linkFuzzer),
    ]
)
