/// One RESP2 reply from Redis.
package enum RESPValue: Equatable, Sendable {
    /// `+OK`
    case simple(String)
    /// `-ERR …`: the command failed; the connection is still good.
    case error(String)
    /// `:42`
    case integer(Int64)
    /// `$n` followed by n bytes; nil is RESP2's null bulk string (`$-1`), e.g. GET of a missing key.
    case bulk([UInt8]?)
    /// `*n` followed by n values; nil is the null array (`*-1`), e.g. EXEC of an aborted transaction.
    case array([RESPValue]?)

    package var isNull: Bool {
        switch self {
        case .bulk(nil), .array(nil): return true
        default: return false
        }
    }

    /// The bytes of a bulk string, nil for null or another kind.
    package var bytes: [UInt8]? {
        if case .bulk(let bytes?) = self { return bytes }
        return nil
    }

    /// A bulk or simple string as text.
    package var text: String? {
        switch self {
        case .simple(let text): return text
        case .bulk(let bytes?): return String(decoding: bytes, as: UTF8.self)
        default: return nil
        }
    }

    package var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}

extension RESPValue: CustomStringConvertible {
    package var description: String {
        switch self {
        case .simple(let text): return text
        case .error(let text): return "(error) \(text)"
        case .integer(let value): return "(integer) \(value)"
        case .bulk(nil), .array(nil): return "(nil)"
        case .bulk(let bytes?):
            return bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) ? "\"\(String(decoding: bytes, as: UTF8.self))\"" : "(\(bytes.count) bytes)"
        case .array(let values?): return "[" + values.map(\.description).joined(separator: ", ") + "]"
        }
    }
}
