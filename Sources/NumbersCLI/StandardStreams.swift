#if canImport(Glibc)
import Glibc
#endif

/// Writes one line to standard error. The C `stderr` global is not usable under strict
/// concurrency, so this writes to the descriptor directly; stdout is flushed first so that the
/// two streams interleave in the order the program wrote them.
package func printError(_ line: String) {
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

/// Makes stdout line-buffered even when it is a pipe or a file, so each line is visible as it is
/// printed: the client ID printed at start must survive a kill, and `numbers-server | tee` must
/// show sessions live. glibc's `stdout` is reached through its symbol because the C global may
/// not be referenced under strict concurrency.
package func lineBufferStandardOutput() {
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "stdout"),
          let file = symbol.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee else { return }
    setvbuf(file, nil, _IOLBF, 0)
}
