import CScuteSys

/// Syscall numbers the filter and the supervisor care about, for one architecture.
package struct SyscallTable: Sendable {
    package let auditArch: UInt32
    package let execve: Int64
    package let execveat: Int64
    package let connect: Int64
    package let sendto: Int64
    package let sendmsg: Int64
    package let sendmmsg: Int64
    package let bind: Int64
    package let listen: Int64
    package let ioUringSetup: Int64
    package let seccomp: Int64
    package let ptrace: Int64
    package let processVMWritev: Int64
    package let processVMReadv: Int64
    /// i386 multiplexes sockets through socketcall; the filter refuses it for foreign-arch callers.
    package let socketcall: Int64?
    package let socket: Int64
    package let clone: Int64
    package let clone3: Int64
    package let kill: Int64
    package let tkill: Int64
    package let tgkill: Int64
    package let pidfdOpen: Int64

    package static let x86_64 = SyscallTable(
        auditArch: SCUTE_AUDIT_ARCH_X86_64,
        execve: 59,
        execveat: 322,
        connect: 42,
        sendto: 44,
        sendmsg: 46,
        sendmmsg: 307,
        bind: 49,
        listen: 50,
        ioUringSetup: 425,
        seccomp: 317,
        ptrace: 101,
        processVMWritev: 311,
        processVMReadv: 310,
        socketcall: nil,
        socket: 41,
        clone: 56,
        clone3: 435,
        kill: 62,
        tkill: 200,
        tgkill: 234,
        pidfdOpen: 434
    )
    package static let i386 = SyscallTable(
        auditArch: SCUTE_AUDIT_ARCH_I386,
        execve: 11,
        execveat: 358,
        connect: 362,
        sendto: 369,
        sendmsg: 370,
        sendmmsg: 345,
        bind: 361,
        listen: 363,
        ioUringSetup: 425,
        seccomp: 354,
        ptrace: 26,
        processVMWritev: 348,
        processVMReadv: 347,
        socketcall: 102,
        socket: 359,
        clone: 120,
        clone3: 435,
        kill: 37,
        tkill: 238,
        tgkill: 270,
        pidfdOpen: 434
    )
    package static let aarch64 = SyscallTable(
        auditArch: SCUTE_AUDIT_ARCH_AARCH64,
        execve: 221,
        execveat: 281,
        connect: 203,
        sendto: 206,
        sendmsg: 211,
        sendmmsg: 269,
        bind: 200,
        listen: 201,
        ioUringSetup: 425,
        seccomp: 277,
        ptrace: 117,
        processVMWritev: 271,
        processVMReadv: 270,
        socketcall: nil,
        socket: 198,
        clone: 220,
        clone3: 435,
        kill: 129,
        tkill: 130,
        tgkill: 131,
        pidfdOpen: 434
    )

    /// The table of the machine the defender runs on.
    package static var native: SyscallTable {
        #if arch(x86_64)
        return .x86_64
        #else
        return .aarch64
        #endif
    }

    /// The table for an audit arch value, when the supervisor knows it.
    package static func forArch(_ arch: UInt32) -> SyscallTable? {
        switch arch {
        case x86_64.auditArch: return .x86_64
        case i386.auditArch: return .i386
        case aarch64.auditArch: return .aarch64
        default: return nil
        }
    }
}

/// The defender's seccomp filter. Checks the architecture first; refuses x32; sends only the syscalls
/// the policy speaks of to the tracer (RET_TRACE); refuses the evasion syscalls with EPERM. Syscalls
/// that are always allowed get no argument checks, so the kernel's per-syscall action cache applies.
///
/// Argument checks, each on a register (never on memory, which the app could change after the check):
/// clone with CLONE_UNTRACED (a child the tracer would not see); kill, tkill, tgkill, pidfd_open and
/// process_vm_readv aimed at the defender's own pid; SCTP sockets (SCTP can reach a peer through
/// setsockopt and ancillary data, without a connect). clone3 passes its flags in memory: it is refused
/// with ENOSYS, and C libraries fall back to clone.
package enum SeccompFilter {
    static let eperm: UInt32 = 1
    static let enosys: UInt32 = 38
    static let errnoEPERM = SCUTE_SECCOMP_RET_ERRNO | eperm
    static let cloneUntraced: UInt32 = 0x0080_0000
    static let ipprotoSCTP: UInt32 = 132
    static let sockSeqPacket: UInt32 = 5

    /// The program for this machine; `defender` is the defender's pid as the app sees it.
    package static func program(defender: Int32) -> [BPFInstruction] {
        #if arch(x86_64)
        return program(native: .x86_64, compat: .i386, defender: defender)
        #else
        return program(native: .aarch64, compat: nil, defender: defender)
        #endif
    }

    /// The checks every architecture gets on the calls that take their decision from a register.
    private static func guardedCalls(_ b: inout BPFProgramBuilder, _ t: SyscallTable, prefix: String) {
        b.jumpIfEqual(UInt32(t.clone), then: .label(prefix + "clone"))
        b.jumpIfEqual(UInt32(t.clone3), then: .label("enosys"))
        b.jumpIfEqual(UInt32(t.socket), then: .label(prefix + "socket"))
        for nr in [t.kill, t.tkill, t.tgkill, t.pidfdOpen, t.processVMReadv] {
            b.jumpIfEqual(UInt32(nr), then: .label("target"))
        }
    }

    private static func guardedBodies(_ b: inout BPFProgramBuilder, prefix: String) {
        b.label(prefix + "clone")
        b.load(offset: 16)
        b.jumpIfAnyBit(cloneUntraced, then: .label("eperm"), else: .label("allow"))
        b.label(prefix + "socket")
        b.load(offset: 16)
        b.jumpIfEqual(2, then: .label(prefix + "inet"))
        b.jumpIfEqual(10, then: .label(prefix + "inet"), else: .label("allow"))
        b.label(prefix + "inet")
        b.load(offset: 16 + 16)
        b.jumpIfEqual(ipprotoSCTP, then: .label("eperm"))
        b.load(offset: 16 + 8)
        b.and(0xf)
        b.jumpIfEqual(sockSeqPacket, then: .label("eperm"), else: .label("allow"))
    }

    package static func program(native t: SyscallTable, compat: SyscallTable?, defender: Int32 = 0) -> [BPFInstruction] {
        var b = BPFProgramBuilder()
        b.load(offset: 4)
        b.jumpIfEqual(t.auditArch, then: .next, else: .label("foreign"))
        b.load(offset: 0)
        if t.auditArch == SCUTE_AUDIT_ARCH_X86_64 {
            // x32 numbers carry bit 30; this kernel ABI is not ours to police, so refuse it.
            b.jumpIfGreaterOrEqual(0x4000_0000, then: .label("enosys"))
        }
        for nr in [t.execve, t.execveat, t.connect, t.sendmsg, t.sendmmsg, t.bind, t.listen] {
            b.jumpIfEqual(UInt32(nr), then: .label("trace"))
        }
        b.jumpIfEqual(UInt32(t.sendto), then: .label("sendto"))
        b.jumpIfEqual(UInt32(t.seccomp), then: .label("seccomp"))
        for nr in [t.ioUringSetup, t.ptrace, t.processVMWritev] {
            b.jumpIfEqual(UInt32(nr), then: .label("eperm"))
        }
        guardedCalls(&b, t, prefix: "native-")
        b.ret(SCUTE_SECCOMP_RET_ALLOW)
        guardedBodies(&b, prefix: "native-")

        // sendto without a destination (connected sockets, the common case) is not the tracer's business.
        b.label("sendto")
        b.load(offset: 16 + 8 * 4)
        b.jumpIfEqual(0, then: .next, else: .label("trace"))
        b.load(offset: 16 + 8 * 4 + 4)
        b.jumpIfEqual(0, then: .label("allow"), else: .label("trace"))

        // An app's own filter with a user-notification listener would outrank RET_TRACE and hide calls.
        b.label("seccomp")
        b.load(offset: 16 + 8 * 1)
        b.jumpIfAnyBit(SCUTE_SECCOMP_FILTER_FLAG_NEW_LISTENER, then: .label("eperm"), else: .label("allow"))

        b.label("foreign")
        if let c = compat {
            b.jumpIfEqual(c.auditArch, then: .next, else: .label("kill"))
            b.load(offset: 0)
            // 32-bit execs are seen at the exec event like any other; trap them for early refusal too.
            for nr in [c.execve, c.execveat] {
                b.jumpIfEqual(UInt32(nr), then: .label("trace"))
            }
            // 32-bit networking from a 64-bit container is an evasion attempt: refuse it outright.
            var refused = [c.connect, c.sendto, c.sendmsg, c.sendmmsg, c.bind, c.listen, c.ioUringSetup, c.seccomp, c.ptrace, c.processVMWritev]
            refused += [c.socketcall, c.socket].compactMap { $0 }
            for nr in refused {
                b.jumpIfEqual(UInt32(nr), then: .label("eperm"))
            }
            b.jumpIfEqual(UInt32(c.clone), then: .label("compat-clone"))
            b.jumpIfEqual(UInt32(c.clone3), then: .label("enosys"))
            for nr in [c.kill, c.tkill, c.tgkill, c.pidfdOpen, c.processVMReadv] {
                b.jumpIfEqual(UInt32(nr), then: .label("target"))
            }
            b.ret(SCUTE_SECCOMP_RET_ALLOW)
            b.label("compat-clone")
            b.load(offset: 16)
            b.jumpIfAnyBit(cloneUntraced, then: .label("eperm"), else: .label("allow"))
        } else {
            b.jump(.label("kill"))
        }
        // The first argument is a pid: the defender's own is not the app's to signal, open or read.
        b.label("target")
        b.load(offset: 16)
        b.jumpIfEqual(UInt32(bitPattern: defender), then: .label("eperm"), else: .label("allow"))
        b.label("allow")
        b.ret(SCUTE_SECCOMP_RET_ALLOW)
        b.label("trace")
        b.ret(SCUTE_SECCOMP_RET_TRACE)
        b.label("eperm")
        b.ret(errnoEPERM)
        b.label("enosys")
        b.ret(SCUTE_SECCOMP_RET_ERRNO | enosys)
        b.label("kill")
        b.ret(SCUTE_SECCOMP_RET_KILL_PROCESS)
        return b.build()
    }
}
