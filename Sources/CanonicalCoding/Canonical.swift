/// Generates a struct's `CodingKeys` (snake_case), and its canonical `init(reading:)` and
/// `write(to:)` as its declared conformances ask (see `CanonicalMacro`). The payloads of the event
/// catalogue and the read models' states use it; `CanonicalCodingTests` checks that what it writes
/// is what the Codable encoder writes, byte for byte, for every type.
@attached(member, names: named(CodingKeys), named(write(to:)))
@attached(extension, names: named(init(reading:)))
public macro Canonical() = #externalMacro(module: "CanonicalMacros", type: "CanonicalMacro")

/// Generates an event enum's `payload` and `registerEveryCase(in:)` from its cases (see `PayloadCasesMacro`).
@attached(member, names: named(payload), named(registerEveryCase(in:)))
public macro PayloadCases() = #externalMacro(module: "CanonicalMacros", type: "PayloadCasesMacro")
