import NumbersRedis
import Testing

@Suite("RESP2 parsing of hostile and partial bytes")
struct RESPParserTests {
    private func parse(_ text: String) throws -> (RESPValue, Int)? {
        try RESPParser.parse(Array(text.utf8)).map { ($0.value, $0.consumed) }
    }

    @Test("every kind of reply, with the bytes it took")
    func kinds() throws {
        #expect(try parse("+OK\r\n")! == (.simple("OK"), 5))
        #expect(try parse("-ERR no\r\nrest")! == (.error("ERR no"), 9))
        #expect(try parse(":-42\r\n")! == (.integer(-42), 6))
        #expect(try parse("$3\r\nabc\r\n")! == (.bulk(Array("abc".utf8)), 9))
        #expect(try parse("$-1\r\n")! == (.bulk(nil), 5))
        #expect(try parse("*-1\r\n")! == (.array(nil), 5))
        #expect(try parse("*2\r\n:1\r\n$0\r\n\r\n")! == (.array([.integer(1), .bulk([])]), 14))
    }

    @Test("a reply cut anywhere is incomplete, never an error or a wrong value")
    func everyPrefix() throws {
        let whole = Array("*3\r\n$5\r\nhello\r\n*1\r\n:7\r\n+OK\r\n".utf8)
        for cut in 0..<whole.count {
            #expect(try RESPParser.parse(Array(whole[0..<cut])) == nil, "prefix of \(cut) bytes")
        }
        #expect(try RESPParser.parse(whole)?.consumed == whole.count)
    }

    @Test("malformed bytes are a protocol violation")
    func malformed() {
        for bad in ["?x\r\n", ":12a\r\n", ":\r\n", "$3\r\nabcXY", "$-2\r\n", "*-5\r\n", "+OK\rX", ":99999999999999999999\r\n"] {
            #expect(throws: RedisError.self, "\(bad.debugDescription)") { try RESPParser.parse(Array(bad.utf8)) }
        }
    }

    @Test("bounds: bulk length, array count, depth and line length")
    func bounds() throws {
        #expect(throws: RedisError.self) { try RESPParser.parse(Array("$\(RESPLimits.maxBulkBytes + 1)\r\n".utf8)) }
        // At the bound it is merely waiting for the bytes.
        #expect(try RESPParser.parse(Array("$\(RESPLimits.maxBulkBytes)\r\n".utf8)) == nil)
        #expect(throws: RedisError.self) { try RESPParser.parse(Array("*\(RESPLimits.maxArrayCount + 1)\r\n".utf8)) }
        #expect(try RESPParser.parse(Array("*\(RESPLimits.maxArrayCount)\r\n".utf8)) == nil)
        let atDepth = String(repeating: "*1\r\n", count: RESPLimits.maxDepth) + ":1\r\n"
        #expect(try RESPParser.parse(Array(atDepth.utf8)) != nil)
        let tooDeep = String(repeating: "*1\r\n", count: RESPLimits.maxDepth + 1) + ":1\r\n"
        #expect(throws: RedisError.self) { try RESPParser.parse(Array(tooDeep.utf8)) }
        let longLine = "+" + String(repeating: "a", count: RESPLimits.maxLineBytes + 2)
        #expect(throws: RedisError.self) { try RESPParser.parse(Array(longLine.utf8)) }
        let maxLine = "+" + String(repeating: "a", count: RESPLimits.maxLineBytes - 1)
        #expect(try RESPParser.parse(Array(maxLine.utf8)) == nil)
    }

    @Test("commands encode as arrays of bulk strings")
    func encoding() {
        var out: [UInt8] = []
        RedisCommand("SET", "k", RedisArgument([0, 13, 10]), 42).encode(into: &out)
        #expect(out == Array("*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n".utf8) + [0, 13, 10] + Array("\r\n$2\r\n42\r\n".utf8))
    }

    @Test("redis:// URLs")
    func urls() throws {
        #expect(try RedisEndpoint(url: "redis://127.0.0.1:6380/2") == RedisEndpoint(host: "127.0.0.1", port: 6380, database: 2))
        #expect(try RedisEndpoint(url: "redis://localhost") == RedisEndpoint(host: "localhost", port: 6379, database: 0))
        #expect(try RedisEndpoint(url: "redis://[::1]:7000/") == RedisEndpoint(host: "::1", port: 7000, database: 0))
        #expect(try RedisEndpoint(url: "redis://[::1]:7000").description == "redis://[::1]:7000")
        for bad in ["http://x", "redis://", "redis://h:0", "redis://h:70000", "redis://h:1/x", "redis://u:p@h", "redis://[::1"] {
            #expect(throws: RedisError.self, "\(bad)") { try RedisEndpoint(url: bad) }
        }
    }
}

private func == (a: (RESPValue, Int), b: (RESPValue, Int)) -> Bool { a.0 == b.0 && a.1 == b.1 }
