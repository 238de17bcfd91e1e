import Glibc

/// A plain pthread that is always joined: benchmarks must not leave threads behind, and a join
/// is the only way to know a thread's last store is visible.
package final class JoinableThread {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    private var handle = pthread_t()
    private var joined = false

    package init(_ run: @escaping @Sendable () -> Void) throws(SocketError) {
        let context = Unmanaged.passRetained(Body(run)).toOpaque()
        let status = pthread_create(&handle, nil, { context in
            let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            body.run()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw SocketError.system("pthread_create", errno: status)
        }
    }

    package func join() {
        guard !joined else { return }
        joined = true
        pthread_join(handle, nil)
    }

    deinit { join() }
}
