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
    /// i386 multiplexes sockets through socketcall; the filter refuses it for foreign-arch callers.
    package let socketcall: Int64?
    package let socket: Int64?

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
        socketcall: nil,
        socket: nil
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
        socketcall: 102,
        socket: 359
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
        socketcall: nil,
        socket: nil
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
package enum SeccompFilter {
    static let eperm: UInt32 = 1
    static let enosys: UInt32 = 38
    static let errnoEPERM = SCUTE_SECCOMP_RET_ERRNO | eperm

    /// The program for this machine.
    package static func program() -> [BPFInstruction] {
        #if arch(x86_64)
        return program(native: .x86_64, compat: .i386)
        #else
        return program(native: .aarch64, compat: nil)
        #endif
    }

    package static func program(native t: SyscallTable, compat: SyscallTable?) -> [BPFInstruction] {
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
        b.ret(SCUTE_SECCOMP_RET_ALLOW)

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
            b.ret(SCUTE_SECCOMP_RET_ALLOW)
        } else {
            b.jump(.label("kill"))
        }
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
