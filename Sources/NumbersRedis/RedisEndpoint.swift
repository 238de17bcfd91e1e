/// Where a Redis server is: `redis://HOST:PORT[/DB]`, HOST a name, an IPv4 address or `[IPv6]`,
/// PORT 6379 when left out, DB 0 when left out.
package struct RedisEndpoint: Sendable, Equatable, CustomStringConvertible {
    package var host: String
    package var port: UInt16
    package var database: Int

    /// Redis's default number of databases is 16; a server configured with more accepts more.
    package static let maxDatabase = 1 << 16

    package init(host: String, port: UInt16 = 6379, database: Int = 0) {
        self.host = host; self.port = port; self.database = database
    }

    package init(url: String) throws(RedisError) {
        let scheme = "redis://"
        guard url.hasPrefix(scheme) else { throw .invalidURL(url, reason: "must start with redis://") }
        var rest = Substring(url.dropFirst(scheme.count))
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let text = rest[rest.index(after: slash)...]
            if !text.isEmpty {
                guard let value = Int(text), value >= 0, value <= Self.maxDatabase else {
                    throw .invalidURL(url, reason: "database must be a number from 0 to \(Self.maxDatabase)")
                }
                database = value
            }
            rest = rest[..<slash]
        }
        guard !rest.contains("@") else { throw .invalidURL(url, reason: "user names and passwords are not supported") }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .invalidURL(url, reason: "unclosed [ in the host") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidURL(url, reason: "expected :PORT after ]") }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw .invalidURL(url, reason: "no host") }
        var port: UInt16 = 6379
        if let portText {
            guard let value = UInt16(portText), value > 0 else { throw .invalidURL(url, reason: "port must be a number from 1 to 65535") }
            port = value
        }
        self.init(host: String(host), port: port, database: database)
    }

    package var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "redis://\(shownHost):\(port)" + (database == 0 ? "" : "/\(database)")
    }
}
