/// A Redis connection that comes back by itself: a command on a lost connection reconnects first,
/// and a failed connect makes further commands fail at once (`backingOff`) until a backoff runs
/// out, doubling from `Backoff.initial` to `Backoff.maximum` and reset by a success. So a Redis
/// that is down costs one connect attempt per backoff period, not one per command.
///
/// Not thread-safe: one thread uses a client at a time.
package final class RedisClient {
    package enum Backoff {
        /// Delay after the first failure.
        package static let initial = 0.05
        /// The longest delay between two connect attempts.
        package static let maximum = 2.0

        /// The delay after a failure that followed `previous` (0 for the first failure).
        package static func delay(after previous: Double) -> Double {
            previous == 0 ? initial : min(previous * 2, maximum)
        }
    }

    package let endpoint: RedisEndpoint
    package let timeout: Double
    private var connection: RedisConnection?
    private var delay = 0.0
    private var nextAttempt = 0.0
    private var lastError: RedisError?
    /// Connections made, for logs and tests: more than one means it reconnected.
    package private(set) var connects = 0

    /// Does not connect yet: the first command does.
    /// - Parameter timeout: seconds allowed for a connect, and for each command or pipeline.
    package init(endpoint: RedisEndpoint, timeout: Double = 1.0) {
        self.endpoint = endpoint
        self.timeout = timeout
    }

    package var isConnected: Bool { connection?.isOpen ?? false }

    /// Connects now if not connected (subject to the backoff).
    package func connect() throws(RedisError) {
        _ = try open()
    }

    package func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RESPValue] {
        let connection = try open()
        do throws(RedisError) {
            return try connection.pipeline(commands)
        } catch {
            // The connection closed itself; the next command reconnects at once, since this one
            // may have failed on a connection that had gone stale while idle.
            self.connection = nil
            lastError = error
            throw error
        }
    }

    package func send(_ command: RedisCommand) throws(RedisError) -> RESPValue {
        try pipeline([command])[0]
    }

    /// Closes the connection; the next command opens a new one.
    package func disconnect() {
        connection?.close()
        connection = nil
    }

    private func open() throws(RedisError) -> RedisConnection {
        if let connection, connection.isOpen { return connection }
        let now = RedisConnection.monotonicSeconds()
        if now < nextAttempt, let lastError {
            throw .backingOff(endpoint: endpoint.description, retryIn: nextAttempt - now, lastError: lastError.description)
        }
        do throws(RedisError) {
            let opened = try RedisConnection(endpoint: endpoint, timeout: timeout)
            connection = opened
            connects += 1
            delay = 0
            nextAttempt = 0
            lastError = nil
            return opened
        } catch {
            delay = Backoff.delay(after: delay)
            nextAttempt = RedisConnection.monotonicSeconds() + delay
            lastError = error
            throw error
        }
    }
}
