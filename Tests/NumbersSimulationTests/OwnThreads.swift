import Foundation
import Synchronization

/// Runs CPU-bound simulations on plain threads, one per core, and resumes when all are done:
/// the same work on the test runner's cooperative threads would starve the tests that wait on
/// real processes and sockets meanwhile.
enum OwnThreads {
    /// `body` of every item, in the items' order.
    static func map<T: Sendable, R: Sendable>(_ items: [T], _ body: @escaping @Sendable (T) -> R) async -> [R] {
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let results = Results<R>(count: items.count)
        return await withCheckedContinuation { continuation in
            let group = DispatchGroup()
            for w in 0..<workers {
                group.enter()
                let thread = Thread {
                    for (k, item) in items.enumerated() where k % workers == w {
                        results.set(k, body(item))
                    }
                    group.leave()
                }
                thread.stackSize = 8 << 20
                thread.start()
            }
            group.notify(queue: .global()) { continuation.resume(returning: results.all) }
        }
    }

    private final class Results<R: Sendable>: Sendable {
        private let items: Mutex<[R?]>
        init(count: Int) { items = Mutex(Array(repeating: nil, count: count)) }
        func set(_ k: Int, _ r: R) { items.withLock { $0[k] = r } }
        var all: [R] { items.withLock { $0.map { $0! } } }
    }
}
