#if canImport(Glibc)
import Glibc
#endif

/// Writes one line to standard error. The C `stderr` global is not usable under strict
/// concurrency, so this writes to the descriptor directly; stdout is flushed first so that the
/// two streams interleave in the order the program wrote them.
public func printError(_ line: String) {
    fflush(nil)
    var text = line
    if !text.hasSuffix("\n") { text += "\n" }
    text.withCString { pointer in
        var offset = 0
        let length = strlen(pointer)
        while offset < length {
            let written = write(STDERR_FILENO, pointer + offset, length - offset)
            if written <= 0 { break }
            offset += written
        }
    }
}
