import CScuteSys
import Testing

@testable import ScuteDefender

/// The kernel's rule (5.11+, kernel/seccomp.c, seccomp_is_const_allow) for caching a syscall number as
/// "always allowed": run the filter knowing only `nr` and `arch`; the number is cached when RET_ALLOW is
/// reached through loads of those two words, constant jumps and constant returns alone. Anything else on
/// the path (a load of an argument or of the instruction pointer, an X-register jump, scratch memory)
/// leaves the number uncached, and the whole filter then runs on every call of it.
struct SeccompCacheModel {
    let program: [BPFInstruction]

    /// Whether the kernel would cache `nr` as always allowed for `arch`.
    func isConstantAllow(arch: UInt32, nr: UInt32) -> Bool {
        var acc: UInt32 = 0
        var pc = 0
        while pc < program.count {
            let ins = program[pc]
            switch ins.code {
            case BPFInstruction.ldWAbs:
                switch ins.k {
                case 0: acc = nr
                case 4: acc = arch
                default: return false
                }
                pc += 1
            case BPFInstruction.retK:
                return ins.k == SCUTE_SECCOMP_RET_ALLOW
            case BPFInstruction.ja:
                pc += 1 + Int(ins.k)
            case BPFInstruction.jeqK, BPFInstruction.jgeK, BPFInstruction.jgtK, BPFInstruction.jsetK:
                let taken: Bool
                switch ins.code {
                case BPFInstruction.jeqK: taken = acc == ins.k
                case BPFInstruction.jgeK: taken = acc >= ins.k
                case BPFInstruction.jgtK: taken = acc > ins.k
                default: taken = acc & ins.k != 0
                }
                pc += 1 + Int(taken ? ins.jt : ins.jf)
            case BPFInstruction.aluAndK:
                acc &= ins.k
                pc += 1
            default:
                return false
            }
        }
        return false
    }
}

@Suite struct SeccompCacheTests {
    let model = SeccompCacheModel(program: SeccompFilter.program(native: .x86_64, compat: .i386))
    /// Larger than any syscall table in use (x86_64 ends below 470): every number the kernel's bitmap holds.
    let numbers: Range<UInt32> = 0..<1024

    @Test func everyUntrappedX86_64SyscallIsCached() {
        let t = SyscallTable.x86_64
        let trapped = Set([t.execve, t.execveat, t.connect, t.sendto, t.sendmsg, t.sendmmsg, t.bind, t.listen]).map(UInt32.init)
        let refused = [t.ioUringSetup, t.seccomp, t.ptrace, t.processVMWritev].map(UInt32.init)
        // Decided by a register argument (pid, clone flags, socket family and protocol), or refused outright.
        let guarded = [t.kill, t.tkill, t.tgkill, t.pidfdOpen, t.processVMReadv, t.clone, t.clone3, t.socket].map(UInt32.init)
        let uncached = numbers.filter { !model.isConstantAllow(arch: t.auditArch, nr: $0) }
        #expect(Set(uncached) == Set(trapped + refused + guarded))
        // The hot ones by name: getppid, read, write, futex, mmap, epoll_wait, recvfrom, clock_nanosleep.
        for nr: UInt32 in [110, 0, 1, 202, 9, 232, 45, 230] {
            #expect(model.isConstantAllow(arch: t.auditArch, nr: nr), "syscall \(nr)")
        }
    }

    @Test func everyUntrappedI386SyscallIsCached() {
        let c = SyscallTable.i386
        let refused = [c.connect, c.sendto, c.sendmsg, c.sendmmsg, c.bind, c.listen, c.ioUringSetup, c.seccomp, c.ptrace, c.processVMWritev]
        let guarded = [c.kill, c.tkill, c.tgkill, c.pidfdOpen, c.processVMReadv, c.clone, c.clone3]
        let watched = Set([c.execve, c.execveat] + refused + guarded + [c.socketcall, c.socket].compactMap { $0 }).map(UInt32.init)
        let uncached = numbers.filter { !model.isConstantAllow(arch: c.auditArch, nr: $0) }
        #expect(Set(uncached) == Set(watched))
    }

    @Test func theCacheAgreesWithTheFilter() {
        // Whatever the cache says is always allowed, the filter itself allows for any arguments.
        let vm = BPFInterpreter(model.program)
        let argSets: [[UInt64]] = [[0, 0, 0, 0, 0, 0], [1, UInt64(SCUTE_SECCOMP_FILTER_FLAG_NEW_LISTENER), 2, 3, 0x7ffd_0000, 16]]
        for arch in [SCUTE_AUDIT_ARCH_X86_64, SCUTE_AUDIT_ARCH_I386] {
            for nr in numbers where model.isConstantAllow(arch: arch, nr: nr) {
                for args in argSets {
                    #expect(vm.run(arch: arch, nr: Int32(nr), args: args) == SCUTE_SECCOMP_RET_ALLOW)
                }
            }
        }
    }

    @Test func x32AndForeignArchitecturesAreNeverCachedAsAllowed() {
        #expect(!model.isConstantAllow(arch: SCUTE_AUDIT_ARCH_X86_64, nr: 0x4000_0000 | 110))
        #expect(!model.isConstantAllow(arch: SCUTE_AUDIT_ARCH_AARCH64, nr: 110))
    }

    @Test func theModelRejectsWhatTheKernelCannotCache() {
        // A filter that loads an argument before deciding is never cached, even when it allows everything.
        var b = BPFProgramBuilder()
        b.load(offset: 16)
        b.ret(SCUTE_SECCOMP_RET_ALLOW)
        #expect(!SeccompCacheModel(program: b.build()).isConstantAllow(arch: SCUTE_AUDIT_ARCH_X86_64, nr: 110))
    }
}
