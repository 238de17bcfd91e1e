/// Bounds on what a reply may hold. Replies come off the network: a server (or whatever answers
/// on its port) must not make the client allocate without limit or recurse without end.
package enum RESPLimits {
    /// Longest bulk string accepted.
    package static let maxBulkBytes = 4 << 20
    /// Most elements in one array.
    package static let maxArrayCount = 1 << 16
    /// Deepest nesting of arrays.
    package static let maxDepth = 8
    /// Longest `+`, `-` or `:` line, and longest length header.
    package static let maxLineBytes = 16 << 10
}

/// Decodes RESP2 replies from bytes as they arrive.
///
/// `parse` looks at a prefix of a buffer: it returns the first complete reply and how many bytes
/// it took, nil while the reply is still incomplete, and throws when the bytes cannot be RESP or
/// break a bound of `RESPLimits` (the connection is unusable then: nothing after it can be framed).
package enum RESPParser {
    package static func parse(_ bytes: UnsafeRawBufferPointer) throws(RedisError) -> (value: RESPValue, consumed: Int)? {
        var position = 0
        guard let value = try parseValue(bytes, &position, depth: 0) else { return nil }
        return (value, position)
    }

    package static func parse(_ bytes: [UInt8]) throws(RedisError) -> (value: RESPValue, consumed: Int)? {
        // withUnsafeBytes only rethrows untyped errors: carry the typed one out in a Result.
        try bytes.withUnsafeBytes { raw in Result { () throws(RedisError) in try parse(raw) } }.get()
    }

    private static func parseValue(_ bytes: UnsafeRawBufferPointer, _ position: inout Int, depth: Int) throws(RedisError) -> RESPValue? {
        guard position < bytes.count else { return nil }
        let kind = bytes[position]
        var cursor = position + 1
        guard let line = try readLine(bytes, &cursor) else { return nil }
        switch kind {
        case UInt8(ascii: "+"):
            position = cursor
            return .simple(String(decoding: line, as: UTF8.self))
        case UInt8(ascii: "-"):
            position = cursor
            return .error(String(decoding: line, as: UTF8.self))
        case UInt8(ascii: ":"):
            position = cursor
            return .integer(try integer(line))
        case UInt8(ascii: "$"):
            let length = try integer(line)
            if length == -1 { position = cursor; return .bulk(nil) }
            guard length >= 0 && length <= RESPLimits.maxBulkBytes else {
                throw .protocolViolation("bulk string of \(length) bytes (at most \(RESPLimits.maxBulkBytes) accepted)")
            }
            let end = cursor + Int(length)
            guard end + 2 <= bytes.count else { return nil }
            guard bytes[end] == 13 && bytes[end + 1] == 10 else { throw .protocolViolation("bulk string not followed by CRLF") }
            position = end + 2
            return .bulk(Array(bytes[cursor..<end]))
        case UInt8(ascii: "*"):
            let count = try integer(line)
            if count == -1 { position = cursor; return .array(nil) }
            guard count >= 0 && count <= RESPLimits.maxArrayCount else {
                throw .protocolViolation("array of \(count) elements (at most \(RESPLimits.maxArrayCount) accepted)")
            }
            guard depth < RESPLimits.maxDepth else { throw .protocolViolation("arrays nested deeper than \(RESPLimits.maxDepth)") }
            var elements: [RESPValue] = []
            elements.reserveCapacity(min(Int(count), 64))
            for _ in 0..<count {
                guard let element = try parseValue(bytes, &cursor, depth: depth + 1) else { return nil }
                elements.append(element)
            }
            position = cursor
            return .array(elements)
        default:
            throw .protocolViolation("reply starts with byte 0x\(String(kind, radix: 16)), not one of + - : $ *")
        }
    }

    /// The bytes up to the next CRLF (which `cursor` then passes), or nil if it has not arrived.
    private static func readLine(_ bytes: UnsafeRawBufferPointer, _ cursor: inout Int) throws(RedisError) -> UnsafeRawBufferPointer.SubSequence? {
        let start = cursor
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 13 {
                guard bytes[index + 1] == 10 else { throw .protocolViolation("CR not followed by LF") }
                cursor = index + 2
                return bytes[start..<index]
            }
            if index - start >= RESPLimits.maxLineBytes { break }
            index += 1
        }
        if bytes.count - start > RESPLimits.maxLineBytes {
            throw .protocolViolation("line longer than \(RESPLimits.maxLineBytes) bytes")
        }
        return nil
    }

    private static func integer(_ line: UnsafeRawBufferPointer.SubSequence) throws(RedisError) -> Int64 {
        var digits = line[...]
        var negative = false
        if digits.first == UInt8(ascii: "-") { negative = true; digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 19 else { throw .protocolViolation("bad integer \"\(String(decoding: line, as: UTF8.self))\"") }
        var value: Int64 = 0
        for digit in digits {
            guard digit >= 48 && digit <= 57 else { throw .protocolViolation("bad integer \"\(String(decoding: line, as: UTF8.self))\"") }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int64(digit - 48))
            guard !o1 && !o2 else { throw .protocolViolation("integer out of range") }
            value = sum
        }
        return negative ? -value : value
    }
}
