import NumbersProtocol
import Testing

@Suite("Printed forms: IPv6 addresses as RFC 5952 writes them, durations as Go prints them")
struct PrintedFormTests {
    static func v6(_ groups: [UInt16], port: UInt16 = 9301) -> PeerAddress {
        var high: UInt64 = 0, low: UInt64 = 0
        for g in groups[0..<4] { high = high << 16 | UInt64(g) }
        for g in groups[4..<8] { low = low << 16 | UInt64(g) }
        return PeerAddress(family: .ipv6, port: port, high: high, low: low)
    }

    @Test(arguments: [
        ([0, 0, 0, 0, 0, 0, 0, 1], "[::1]:9301"),
        ([0, 0, 0, 0, 0, 0, 0, 0], "[::]:9301"),
        ([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], "[2001:db8::1]:9301"),
        ([0xfe80, 0, 0, 0, 0x1, 0x2, 0x3, 0x4], "[fe80::1:2:3:4]:9301"),
        // A single zero group is not shortened (§4.2.2).
        ([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1], "[2001:db8:0:1:1:1:1:1]:9301"),
        // The longest run wins; on a tie the first (§4.2.3).
        ([0x2001, 0, 0, 1, 0, 0, 0, 1], "[2001:0:0:1::1]:9301"),
        ([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], "[2001:db8::1:0:0:1]:9301"),
        // Trailing run, and lowercase without leading zeros (§4.3).
        ([0xABCD, 0x00EF, 0, 0, 0, 0, 0, 0], "[abcd:ef::]:9301"),
        // IPv4-mapped keeps the dotted quad (§5).
        ([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201], "[::ffff:192.0.2.1]:9301"),
    ] as [([UInt16], String)])
    func ipv6Canonical(groups: [UInt16], expected: String) {
        #expect(Self.v6(groups).description == expected)
    }

    @Test func ipv4AndHostText() {
        let address = PeerAddress(ipv4: (127, 0, 0, 1), port: 9000)
        #expect(address.description == "127.0.0.1:9000")
        #expect(address.hostText == "127.0.0.1")
        #expect(Self.v6([0, 0, 0, 0, 0, 0, 0, 1]).hostText == "::1")
    }

    @Test(arguments: [
        (0, "0s"), (10, "10ns"), (1_500, "1.5µs"), (40_123, "40.123µs"), (999_999, "999.999µs"),
        // From a millisecond on, rounded to the microsecond, half up.
        (828_677_390, "828.677ms"), (828_677_500, "828.678ms"), (1_000_000, "1ms"), (1_000_499, "1ms"),
        (999_999_600, "1s"), (6_412_345_678, "6.412346s"), (90_000_000_000, "1m30s"),
        (3_600_000_000_000, "1h0m0s"), (UInt64.max, "5124095h34m33.709551s"),
    ] as [(UInt64, String)])
    func measuredDurations(nanoseconds: UInt64, expected: String) {
        #expect(Nanoseconds(nanoseconds).description == expected)
    }

    @Test func exactDurationsKeepEveryNanosecond() {
        #expect(DurationText.exact(828_677_390) == "828.67739ms")
        #expect(DurationText.exact(3_723_004_005_006) == "1h2m3.004005006s")
    }
}
