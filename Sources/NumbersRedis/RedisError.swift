/// Everything that can go wrong talking to Redis, worded for a log line.
package enum RedisError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The `redis://` address is not one this client understands.
    case invalidURL(String, reason: String)
    /// Name resolution, socket or connect failed (the text says which, with strerror).
    case connectFailed(endpoint: String, reason: String)
    /// No answer within the timeout; the connection is dropped, since a late reply would be
    /// taken for the answer to the next command.
    case timedOut(endpoint: String, operation: String, after: Double)
    /// The server closed the connection or a read/write failed.
    case connectionLost(endpoint: String, reason: String)
    /// The bytes received are not RESP2, or break a bound.
    case protocolViolation(String)
    /// An error reply, e.g. `WRONGTYPE …` or `NOSCRIPT …`.
    case server(String)
    /// Not trying again yet: the last attempt failed and the backoff has not run out.
    case backingOff(endpoint: String, retryIn: Double, lastError: String)

    package var description: String {
        switch self {
        case .invalidURL(let url, let reason): return "invalid Redis URL \"\(url)\": \(reason)"
        case .connectFailed(let endpoint, let reason): return "redis \(endpoint): cannot connect: \(reason)"
        case .timedOut(let endpoint, let operation, let after):
            return "redis \(endpoint): no answer to \(operation) within \(Self.seconds(after))"
        case .connectionLost(let endpoint, let reason): return "redis \(endpoint): connection lost: \(reason)"
        case .protocolViolation(let reason): return "redis: not a RESP2 reply: \(reason)"
        case .server(let message): return "redis replied with an error: \(message)"
        case .backingOff(let endpoint, let retryIn, let lastError):
            return "redis \(endpoint): unavailable, next attempt in \(Self.seconds(retryIn)) (last error: \(lastError))"
        }
    }

    /// Whether the connection is gone (so the next command reconnects), as opposed to one
    /// command's failure.
    package var isConnectionFailure: Bool {
        switch self {
        case .server, .invalidURL: return false
        default: return true
        }
    }

    private static func seconds(_ value: Double) -> String {
        value >= 1 ? "\((value * 10).rounded() / 10) s" : "\(Int((value * 1000).rounded())) ms"
    }
}
