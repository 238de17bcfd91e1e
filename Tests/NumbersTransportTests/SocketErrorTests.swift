import Glibc
import Testing
@testable import NumbersTransport

@Suite("Errors carry the operation and errno text")
struct SocketErrorTests {
    @Test func bindingAPortInUseFails() throws {
        let first = try UDPSocket(host: "127.0.0.1", port: 0)
        #expect {
            _ = try UDPSocket(host: "127.0.0.1", port: first.localAddress.port)
        } throws: { error in
            guard let error = error as? SocketError else { return false }
            return error.code == EADDRINUSE
                && error.description == "bind 127.0.0.1:\(first.localAddress.port): address already in use"
        }
    }

    @Test func unresolvableHostFails() {
        #expect(throws: SocketError.self) { _ = try UDPSocket(host: "no such host.invalid", port: 0) }
    }

    @Test func bindWildcardGivesAnEphemeralPort() throws {
        let socket = try UDPSocket(host: "0.0.0.0", port: 0)
        #expect(socket.localAddress.ipv4Value == 0 && socket.localAddress.port != 0)
        // What the kernel granted depends on privileges and sysctls; it must at least be readable.
        #expect(socket.receiveBufferBytes > 0 && socket.sendBufferBytes > 0)
    }
}
