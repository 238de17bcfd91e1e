import NumbersProtocol

/// Human-readable counter lines, printed by the executables at the end of a run. They live above
/// the protocol core so that an embedder of NumbersProtocol gets no text formats it did not ask for.
extension ServerCounters {
    package var summaryLines: [String] {
        [
            "received: \(datagramsReceived) datagrams (\(opensReceived) OPEN, \(acksReceived) ACK, \(probesReceived) probes), \(rangesRequested) ranges requested (NACKs)",
            "rejected on arrival: \(decodeErrorTotal) malformed or corrupt\(DecodeError.breakdown(decodeErrors)), \(invalidDropped) invalid",
            "sent: \(datagramsSent) datagrams: \(dataSent) DATA (\(numbersSent) numbers), \(retransmittedDatagrams) retransmissions (\(retransmittedNumbers) numbers), \(trailersSent) trailers, \(challengesSent) challenges, \(rejectsSent) rejects; \(lateSends) late",
            "sessions: \(sessionsCreated) created, \(sessionsResumed) resumed, \(sessionsCompleted) completed, \(sessionsExpired) expired, \(migrations) address changes",
        ]
    }
}

extension ClientCounters {
    package var summaryLines: [String] {
        [
            "received: \(datagramsReceived) datagrams, \(dataReceived) DATA (\(numbersReceived) numbers, \(duplicateNumbers) duplicates), \(trailersReceived) trailers, \(challengesReceived) challenges",
            "rejected on arrival: \(decodeErrorTotal) malformed or corrupt\(DecodeError.breakdown(decodeErrors)), \(invalidDropped) invalid, \(outsideWindow) outside the window",
            "sent: \(datagramsSent) datagrams: \(opensSent) OPEN, \(acksSent) ACK (\(probesSent) probes, \(repairsSent) repairs); requested \(rangesRequested) ranges (\(numbersRequested) numbers); \(recoveries) recoveries after silence",
        ]
    }
}

extension SessionStats {
    package var summary: String {
        "\(dataSent) DATA sent (\(retransmittedDatagrams) retransmitted), \(trailersSent) trailers, \(acksReceived) ACKs, \(rangesRequested) ranges requested, \(probes) probes, \(resumes) resumes"
    }
}

extension DecodeError {
    static func breakdown(_ counts: [DecodeError: UInt64]) -> String {
        let parts = DecodeError.allCases.compactMap { e in counts[e].map { "\($0) \(e)" } }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
    }
}

extension ClientResult {
    /// The result as the client prints it on stdout: ID, n, sum, both CRCs, then PASS or FAIL.
    package var reportLines: [String] {
        var lines = [
            "client ID: \(clientID)",
            "n: \(total)",
            "sum: \(sum)",
            "expected CRC-32C: \(Self.hex(expectedCRC))",
            "computed CRC-32C: \(Self.hex(computedCRC))",
        ]
        if sum != expectedSum { lines.append("expected sum: \(expectedSum)") }
        lines.append(passed ? "PASS" : "FAIL")
        return lines
    }

    static func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
