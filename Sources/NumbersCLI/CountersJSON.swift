import NumbersImpairment
import NumbersProtocol

// Counters as JSON objects, for -json. Keys are the counters' Swift names, in declaration order;
// the schema is documented in docs/json.md, and a key is never renamed without a new schema version.

extension DecodeError {
    /// Every reason with its count (zeros included, so the keys are always there).
    static func json(_ counts: [DecodeError: UInt64]) -> JSON {
        .object(DecodeError.allCases.map { ($0.key.description, .unsigned(counts[$0] ?? 0)) })
    }
}

extension RejectReason {
    package var key: String {
        switch self {
        case .unknownSession: return "unknownSession"
        case .countMismatch: return "countMismatch"
        case .serverFull: return "serverFull"
        case .invalidResume: return "invalidResume"
        case .storeUnavailable: return "storeUnavailable"
        }
    }
}

extension ClientCounters {
    package var json: JSON {
        .object([
            ("datagramsReceived", .unsigned(datagramsReceived)),
            ("dataReceived", .unsigned(dataReceived)),
            ("numbersReceived", .unsigned(numbersReceived)),
            ("duplicateNumbers", .unsigned(duplicateNumbers)),
            ("outsideWindow", .unsigned(outsideWindow)),
            ("trailersReceived", .unsigned(trailersReceived)),
            ("challengesReceived", .unsigned(challengesReceived)),
            ("decodeErrors", DecodeError.json(decodeErrors)),
            ("invalidDropped", .unsigned(invalidDropped)),
            ("datagramsSent", .unsigned(datagramsSent)),
            ("opensSent", .unsigned(opensSent)),
            ("acksSent", .unsigned(acksSent)),
            ("probesSent", .unsigned(probesSent)),
            ("rangesRequested", .unsigned(rangesRequested)),
            ("numbersRequested", .unsigned(numbersRequested)),
            ("recoveries", .unsigned(recoveries)),
        ])
    }
}

extension ServerCounters {
    package var json: JSON {
        .object([
            ("datagramsReceived", .unsigned(datagramsReceived)),
            ("bytesReceived", .unsigned(bytesReceived)),
            ("decodeErrors", DecodeError.json(decodeErrors)),
            ("invalidDropped", .unsigned(invalidDropped)),
            ("opensReceived", .unsigned(opensReceived)),
            ("acksReceived", .unsigned(acksReceived)),
            ("probesReceived", .unsigned(probesReceived)),
            ("rangesRequested", .unsigned(rangesRequested)),
            ("rangesDroppedFromQueue", .unsigned(rangesDroppedFromQueue)),
            ("datagramsSent", .unsigned(datagramsSent)),
            ("bytesSent", .unsigned(bytesSent)),
            ("dataSent", .unsigned(dataSent)),
            ("numbersSent", .unsigned(numbersSent)),
            ("retransmittedDatagrams", .unsigned(retransmittedDatagrams)),
            ("retransmittedNumbers", .unsigned(retransmittedNumbers)),
            ("trailersSent", .unsigned(trailersSent)),
            ("challengesSent", .unsigned(challengesSent)),
            ("rejectsSent", .unsigned(rejectsSent)),
            ("controlDropped", .unsigned(controlDropped)),
            ("lateSends", .unsigned(lateSends)),
            ("sessionsCreated", .unsigned(sessionsCreated)),
            ("sessionsResumed", .unsigned(sessionsResumed)),
            ("sessionsCompleted", .unsigned(sessionsCompleted)),
            ("sessionsExpired", .unsigned(sessionsExpired)),
            ("migrations", .unsigned(migrations)),
            ("lateCompletions", .unsigned(lateCompletions)),
        ])
    }
}

extension SessionStats {
    package var json: JSON {
        .object([
            ("dataSent", .unsigned(UInt64(dataSent))),
            ("retransmittedDatagrams", .unsigned(UInt64(retransmittedDatagrams))),
            ("trailersSent", .unsigned(UInt64(trailersSent))),
            ("acksReceived", .unsigned(UInt64(acksReceived))),
            ("rangesRequested", .unsigned(UInt64(rangesRequested))),
            ("probes", .unsigned(UInt64(probes))),
            ("resumes", .unsigned(UInt64(resumes))),
        ])
    }
}

extension ImpairmentCounters {
    package var json: JSON {
        .object([
            ("offered", .unsigned(offered)),
            ("delivered", .unsigned(delivered)),
            ("dropped", .unsigned(dropped)),
            ("burstDropped", .unsigned(burstDropped)),
            ("failed", .unsigned(failed)),
            ("offlineDropped", .unsigned(offlineDropped)),
            ("offlinePeriods", .unsigned(offlinePeriods)),
            ("inboundIgnored", .unsigned(inboundIgnored)),
            ("duplicated", .unsigned(duplicated)),
            ("reordered", .unsigned(reordered)),
            ("corrupted", .unsigned(corrupted)),
            ("delayed", .unsigned(delayed)),
            ("overflowDropped", .unsigned(overflowDropped)),
            ("queueDropped", .unsigned(queueDropped)),
        ])
    }
}

extension SessionSharing.Counters {
    package var json: JSON {
        .object([
            ("created", .int(created)), ("adopted", .int(adopted)), ("lostRaces", .int(lostRaces)),
            ("refreshes", .int(refreshes)), ("deletes", .int(deletes)), ("lookups", .int(lookups)),
            ("notFound", .int(notFound)), ("unavailable", .int(unavailable)),
            ("refusedUnavailable", .int(refusedUnavailable)), ("awaitingDropped", .int(awaitingDropped)),
            ("requestsDropped", .int(requestsDropped)),
        ])
    }
}

extension JSON {
    /// A duration as seconds (to the nanosecond), or null.
    package static func seconds(_ span: Nanoseconds?) -> JSON {
        guard let span else { return .null }
        return .number(Double(span.value) / 1e9, places: 9)
    }

    /// A CRC as the text output writes it: `0x` and 8 lowercase hex digits.
    package static func crc(_ value: UInt32) -> JSON {
        let digits = String(value, radix: 16)
        return .string("0x" + String(repeating: "0", count: 8 - digits.count) + digits)
    }
}
