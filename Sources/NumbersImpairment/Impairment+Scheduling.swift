import NumbersProtocol

extension Impairment {
    /// Earliest instant at which `releaseDue` has something to emit, or nil when nothing is held.
    package var nextDeadline: Instant? {
        switch (heap.firstDue, reorder.earliestTimeout) {
        case let (a?, b?): return min(a, b)
        case let (a?, nil): return a
        case let (nil, b?): return b
        case (nil, nil): return nil
        }
    }

    /// Emits every held copy due at or before `now`, in (due time, insertion) order.
    package mutating func releaseDue(now: Instant, emit: (UnsafeRawBufferPointer, PeerAddress) -> Void) {
        if let timeout = reorder.earliestTimeout, timeout <= now {
            // Timed-out reordered copies join the heap so that they interleave in due order.
            var released: [ReorderedDatagram] = []
            swap(&released, &releasedScratch)
            reorder.removeTimedOut(now: now, into: &released)
            for i in released.indices {
                heap.push(take(&released[i].bytes), to: released[i].destination, due: released[i].timeout)
            }
            released.removeAll(keepingCapacity: true)
            swap(&released, &releasedScratch)
        }
        while let due = heap.firstDue, due <= now, var item = heap.popFirst() {
            item.bytes.withUnsafeBytes { emit($0, item.destination) }
            counters.delivered += 1
            recycle(&item.bytes)
        }
    }

    /// The last stages, for one copy: the bottleneck link, then hold it for reordering, or release
    /// it at (when it left the link, or now) + delay ± jitter.
    mutating func schedule(_ bytes: UnsafeRawBufferPointer, to destination: PeerAddress, now: Instant,
                           emit: (UnsafeRawBufferPointer, PeerAddress) -> Void) {
        guard config.holdsDatagrams else {
            emit(bytes, destination)
            counters.delivered += 1
            return
        }
        var start = now
        if let bottleneck = config.bottleneck {
            guard let crossed = link.admit(bottleneck, bytes: bytes.count, now: now) else { counters.queueDropped += 1; return }
            start = crossed
        }
        if random.reorder.chance(config.reorderRate) {
            guard heldCount < config.heldLimit else { counters.overflowDropped += 1; return }
            counters.reordered += 1
            let after = 1 + random.reorder.next() % 3
            reorder.hold(copy(bytes), to: destination, after: after,
                         timeout: start + config.delay + config.reorderHold)
            return
        }
        let due = start + random.timing.jittered(delay: config.delay, jitter: config.jitter)
        if due <= now {
            emit(bytes, destination)
            counters.delivered += 1
        } else {
            guard heldCount < config.heldLimit else { counters.overflowDropped += 1; return }
            counters.delayed += 1
            heap.push(copy(bytes), to: destination, due: due)
        }
        releaseOvertaken(by: due, now: now, emit: emit)
    }

    /// After a normally scheduled copy due at `due`: reordered copies whose turn has come go right
    /// after it (same due time, later insertion), or at their timeout if that is earlier.
    mutating func releaseOvertaken(by due: Instant, now: Instant,
                                   emit: (UnsafeRawBufferPointer, PeerAddress) -> Void) {
        // Targets only count copies scheduled while their entry is held, so with nothing held
        // there is nothing to count.
        guard !reorder.isEmpty else { return }
        var released: [ReorderedDatagram] = []
        swap(&released, &releasedScratch)
        reorder.notePassed(into: &released)
        for i in released.indices {
            let release = min(due, released[i].timeout)
            if release <= now {
                released[i].bytes.withUnsafeBytes { emit($0, released[i].destination) }
                counters.delivered += 1
                recycle(&released[i].bytes)
            } else {
                heap.push(take(&released[i].bytes), to: released[i].destination, due: release)
            }
        }
        released.removeAll(keepingCapacity: true)
        swap(&released, &releasedScratch)
    }

    /// A copy of `bytes` in a recycled array when one is available.
    mutating func copy(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var array = spare.popLast() ?? []
        array.append(contentsOf: bytes)
        return array
    }

    /// Keeps an emitted copy's storage for reuse. Takes it by `inout` and swaps it out, so the
    /// array is uniquely referenced and emptying it keeps the allocation instead of copying.
    mutating func recycle(_ bytes: inout [UInt8]) {
        guard spare.count < Self.spareLimit else { return }
        var array = take(&bytes)
        array.removeAll(keepingCapacity: true)
        spare.append(array)
    }
}

/// Moves an array out of a variable, leaving an empty one (no allocation, no reference count).
@inline(__always)
func take(_ bytes: inout [UInt8]) -> [UInt8] {
    var taken: [UInt8] = []
    swap(&taken, &bytes)
    return taken
}
