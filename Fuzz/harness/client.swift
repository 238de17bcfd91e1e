import NumbersFuzzing

/// libFuzzer entry point for the `client` target: see FuzzTargets.client in Sources/NumbersFuzzing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzclient(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTargets.client(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
