import Glibc
import NumbersTransport
import Synchronization

/// Independent runs spread over threads: each thread takes the next index until none is left.
/// The simulation is single-threaded and deterministic, so the results do not depend on how many
/// threads ran them or in which order.
enum ParallelRuns {
    static var processorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    private final class Shared<T: Sendable>: Sendable {
        let state: Mutex<(next: Int, results: [T?])>
        init(count: Int) { state = Mutex((next: 0, results: Array(repeating: nil, count: count))) }
    }

    /// body(0), …, body(count − 1), in index order.
    static func map<T: Sendable>(count: Int, threads: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
        let shared = Shared<T>(count: count)
        let workers = (0..<max(1, min(threads, count))).map { _ in
            JoinableThread.startedOrExit {
                while true {
                    let index = shared.state.withLock { state -> Int? in
                        guard state.next < state.results.count else { return nil }
                        defer { state.next += 1 }
                        return state.next
                    }
                    guard let index else { return }
                    let result = body(index)
                    shared.state.withLock { $0.results[index] = result }
                }
            }
        }
        for worker in workers { worker.join() }
        return shared.state.withLock { $0.results.map { $0! } }
    }
}
