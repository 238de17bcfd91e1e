import Glibc

/// The one error type of the socket layer: what was attempted and why it failed, in the words of
/// the C library ("bind 127.0.0.1:9000: address already in use"), so that logs need no decoding.
package struct SocketError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The failed operation with its argument, e.g. "bind 127.0.0.1:9000".
    package let operation: String
    /// The errno value, or 0 when the failure did not come from a system call (name resolution).
    package let code: Int32
    /// Human text: strerror(3) or gai_strerror(3), first letter lowercased as Go prints it.
    package let message: String

    package init(operation: String, code: Int32, message: String) {
        self.operation = operation; self.code = code; self.message = message
    }

    /// Captures `errno` now: call it right after the failing call, before anything can overwrite it.
    static func system(_ operation: String, errno code: Int32 = errno) -> SocketError {
        SocketError(operation: operation, code: code, message: lowercasedFirst(String(cString: strerror(code))))
    }

    static func lowercasedFirst(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.lowercased() + text.dropFirst()
    }

    package var description: String { "\(operation): \(message)" }
}
