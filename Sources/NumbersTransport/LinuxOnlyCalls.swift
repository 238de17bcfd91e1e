import Glibc

// recvmmsg, sendmmsg, eventfd and ppoll exist in every glibc we run on, but Swift's Glibc module is built
// without _GNU_SOURCE and so does not declare them (nor struct mmsghdr). Package.swift must not
// grow a C shim target, so they are looked up once by name and called through C function pointers.

/// Layout twin of C's `struct mmsghdr { struct msghdr msg_hdr; unsigned int msg_len; }` (64 bytes
/// on LP64): an array of these is handed to the kernel as is. A Swift struct cannot appear in a
/// C function type, so the calls below take it as a raw pointer.
struct MultiMessageHeader {
    var header: msghdr
    var length: UInt32

    /// Checked by each batch before it hands an array of these to the kernel.
    static let matchesKernelLayout = MemoryLayout<MultiMessageHeader>.stride == 64
        && MemoryLayout<msghdr>.size == 56
}

enum LinuxOnlyCalls {
    typealias MultiMessageCall = @convention(c) (
        Int32, UnsafeMutableRawPointer?, UInt32, Int32, UnsafeMutableRawPointer?
    ) -> Int32
    typealias SendMultiMessageCall = @convention(c) (
        Int32, UnsafeMutableRawPointer?, UInt32, Int32
    ) -> Int32
    typealias EventFDCall = @convention(c) (UInt32, Int32) -> Int32
    typealias PollCall = @convention(c) (UnsafeMutablePointer<pollfd>?, nfds_t, UnsafePointer<timespec>?, UnsafeRawPointer?) -> Int32

    /// `int recvmmsg(int fd, struct mmsghdr *v, unsigned n, int flags, struct timespec *timeout)`
    static let recvmmsg: MultiMessageCall = lookUp("recvmmsg")
    /// `int sendmmsg(int fd, struct mmsghdr *v, unsigned n, int flags)`
    static let sendmmsg: SendMultiMessageCall = lookUp("sendmmsg")
    /// `int eventfd(unsigned initval, int flags)`
    static let eventfd: EventFDCall = lookUp("eventfd")
    /// `int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *timeout, const sigset_t *mask)`:
    /// poll with a nanosecond timeout (poll's is whole milliseconds).
    static let ppoll: PollCall = lookUp("ppoll")

    /// EFD_NONBLOCK and EFD_CLOEXEC are defined as O_NONBLOCK and O_CLOEXEC by the kernel ABI.
    static let eventFDNonBlocking = Int32(O_NONBLOCK)
    static let eventFDCloseOnExec = Int32(O_CLOEXEC)

    private static func lookUp<F>(_ name: String) -> F {
        // A nil handle is RTLD_DEFAULT: search the libraries already loaded, which include libc.
        guard let symbol = dlsym(nil, name) else {
            fatalError("\(name) is missing from the C library: Linux with glibc is required")
        }
        return unsafeBitCast(symbol, to: F.self)
    }
}
