import Testing
@testable import NumbersProtocol

@Suite("Routing by tag through the wire layer")
struct WireTagTests {
    @Test func theTagOfEveryServerReplyIsFound() {
        var buffer = [UInt8](repeating: 0, count: Limits.maxDatagramSize)
        let challengeLength = buffer.withUnsafeMutableBytes { WireEncoder.encode(ChallengeMessage(tag: 0xdead_beef, token: 9), into: $0) }
        #expect(buffer.withUnsafeBytes { WireDecoder.tag(of: UnsafeRawBufferPointer(rebasing: $0[..<challengeLength])) } == 0xdead_beef)
        let rejectLength = buffer.withUnsafeMutableBytes { WireEncoder.encode(RejectMessage(tag: 42, reason: .serverFull), into: $0) }
        #expect(buffer.withUnsafeBytes { WireDecoder.tag(of: UnsafeRawBufferPointer(rebasing: $0[..<rejectLength])) } == 42)
    }

    @Test func tooShortToHoldATagIsNil() {
        let five: [UInt8] = [1, 2, 3, 4, 5]
        #expect(five.withUnsafeBytes { WireDecoder.tag(of: $0) } == nil)
        let six: [UInt8] = [1, 0x82, 0, 0, 1, 0]
        #expect(six.withUnsafeBytes { WireDecoder.tag(of: $0) } == 256)
    }
}
