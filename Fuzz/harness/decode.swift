import NumbersFuzzing

/// libFuzzer entry point for the `decode` target: see FuzzTargets.decode in Sources/NumbersFuzzing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzdecode(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTargets.decode(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
