/// libFuzzer's entry for a program with its own `main`: SwiftPM links an executable target's
/// entry point as `<Target>_main`, so each harness defines that and hands its one-input function
/// here, instead of relying on libFuzzer's `main`.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ test: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

public typealias FuzzTest = @convention(c) (UnsafePointer<UInt8>, Int) -> CInt

/// Runs libFuzzer with the program's arguments (corpus directories, `-max_total_time=`, …) on `test`.
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, _ test: FuzzTest) -> CInt {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&count, &arguments, test)
}
