/// One command as Redis receives it: an array of bulk strings, so arguments may hold any bytes.
package struct RedisCommand: Sendable, Equatable {
    package var arguments: [[UInt8]]

    package init(_ arguments: [[UInt8]]) {
        precondition(!arguments.isEmpty, "a command has a name")
        self.arguments = arguments
    }

    package init(_ name: String, _ rest: RedisArgument...) {
        self.arguments = [Array(name.utf8)] + rest.map(\.bytes)
    }

    package init(_ name: String, arguments rest: [RedisArgument]) {
        self.arguments = [Array(name.utf8)] + rest.map(\.bytes)
    }

    package var name: String { String(decoding: arguments[0], as: UTF8.self) }

    /// Appends the RESP encoding (`*n`, then `$len` and the bytes of each argument).
    package func encode(into output: inout [UInt8]) {
        appendHeader(UInt8(ascii: "*"), arguments.count, into: &output)
        for argument in arguments {
            appendHeader(UInt8(ascii: "$"), argument.count, into: &output)
            output.append(contentsOf: argument)
            output.append(contentsOf: [13, 10])
        }
    }

    private func appendHeader(_ kind: UInt8, _ count: Int, into output: inout [UInt8]) {
        output.append(kind)
        output.append(contentsOf: String(count).utf8)
        output.append(contentsOf: [13, 10])
    }
}

/// An argument of a command: text, a number in decimal, or raw bytes.
package struct RedisArgument: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    package let bytes: [UInt8]
    package init(_ bytes: [UInt8]) { self.bytes = bytes }
    package init(_ text: String) { self.bytes = Array(text.utf8) }
    package init<I: BinaryInteger>(_ value: I) { self.bytes = Array(String(value).utf8) }
    package init(stringLiteral value: String) { self.init(value) }
    package init(integerLiteral value: Int) { self.init(value) }
}
