import NumbersFuzzing

/// libFuzzer entry point for the `server` target: see FuzzTargets.server in Sources/NumbersFuzzing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzserver(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTargets.server(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
