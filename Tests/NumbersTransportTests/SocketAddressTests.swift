import Glibc
import NumbersProtocol
import Testing
@testable import NumbersTransport

@Suite("PeerAddress <-> sockaddr conversions")
struct SocketAddressTests {
    private func roundTrip(_ address: PeerAddress, for family: PeerAddress.Family? = nil) -> (PeerAddress?, socklen_t, [UInt8]) {
        var storage = sockaddr_storage()
        let length = address.write(to: &storage, for: family)
        let bytes = withUnsafeBytes(of: &storage) { Array($0.prefix(Int(length))) }
        return (PeerAddress(socketAddress: &storage), length, bytes)
    }

    @Test func ipv4RoundTripUsesNetworkOrder() {
        let address = PeerAddress(ipv4: (192, 168, 1, 20), port: 0x1f90)
        let (back, length, bytes) = roundTrip(address)
        #expect(back == address)
        #expect(Int(length) == MemoryLayout<sockaddr_in>.size)
        // sin_port then sin_addr, both big-endian on the wire and in memory.
        #expect(Array(bytes[2..<8]) == [0x1f, 0x90, 192, 168, 1, 20])
        #expect(address.high >> 32 == 0xc0a8_0114)
    }

    @Test func ipv6RoundTripUsesNetworkOrder() {
        let address = PeerAddress(family: .ipv6, port: 443, high: 0x2001_0db8_0000_0000, low: 0x0000_0000_0000_0001)
        let (back, length, bytes) = roundTrip(address)
        #expect(back == address)
        #expect(Int(length) == MemoryLayout<sockaddr_in6>.size)
        #expect(Array(bytes[2..<4]) == [0x01, 0xbb])
        // sin6_addr starts after family, port and flowinfo.
        #expect(Array(bytes[8..<24]) == [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        #expect(address.description == "[2001:db8::1]:443")
    }

    @Test func ipv4PeerOnIPv6SocketIsMapped() {
        let address = PeerAddress(ipv4: (127, 0, 0, 1), port: 9000)
        let (back, _, _) = roundTrip(address, for: .ipv6)
        #expect(back == PeerAddress(family: .ipv6, port: 9000, high: 0, low: 0x0000_ffff_7f00_0001))
        #expect(back?.isIPv4Mapped == true)
        // And the mapped form written for an IPv4 socket comes back as plain IPv4.
        #expect(back.map { roundTrip($0, for: .ipv4).0 } == address)
    }

    @Test func unknownFamilyIsRejected() {
        var storage = sockaddr_storage()
        storage.ss_family = sa_family_t(AF_UNIX)
        #expect(PeerAddress(socketAddress: &storage) == nil)
    }

    @Test func resolvingNumericAndNamedHosts() throws {
        #expect(try PeerAddress.resolving(host: "127.0.0.1", port: 80) == [PeerAddress(ipv4: (127, 0, 0, 1), port: 80)])
        #expect(try PeerAddress.resolving(host: "[::1]", port: 80) == [PeerAddress(family: .ipv6, port: 80, high: 0, low: 1)])
        #expect(try PeerAddress.resolving(host: "0.0.0.0", port: 1).first?.ipv4Value == 0)
        let localhost = try PeerAddress.resolving(host: "localhost", port: 5)
        #expect(localhost.allSatisfy { $0.port == 5 })
        #expect(localhost.contains { $0.ipv4Value == 0x7f00_0001 || ($0.family == .ipv6 && $0.low == 1) })
    }

    @Test func kernelHeaderLayoutMatches() {
        #expect(MultiMessageHeader.matchesKernelLayout)
    }
}
