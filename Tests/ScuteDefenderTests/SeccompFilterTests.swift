import CScuteSys
import ScuteCore
import Testing

@testable import ScuteDefender

@Suite struct SeccompFilterTests {
    static let defender: Int32 = 4242
    let program = SeccompFilter.program(native: .x86_64, compat: .i386, defender: Self.defender)
    let x64 = SCUTE_AUDIT_ARCH_X86_64
    let i386 = SCUTE_AUDIT_ARCH_I386
    let trace = SCUTE_SECCOMP_RET_TRACE
    let allow = SCUTE_SECCOMP_RET_ALLOW
    let eperm = SCUTE_SECCOMP_RET_ERRNO | 1

    @Test func trapsOnlyWhatThePolicySpeaksOf() {
        let vm = BPFInterpreter(program)
        for nr: Int32 in [59, 322, 42, 46, 307, 49, 50] {
            #expect(vm.run(arch: x64, nr: nr) == trace, "syscall \(nr)")
        }
        // Everything else runs at native speed, including the ones a bad jump offset would hit.
        for nr: Int32 in [0, 1, 3, 39, 41, 43, 45, 47, 48, 51, 56, 57, 58, 60, 61, 110, 200, 202, 231, 234, 306, 308, 321, 323, 424, 426, 434, 450] {
            #expect(vm.run(arch: x64, nr: nr) == allow, "syscall \(nr)")
        }
    }

    @Test func callsDecidedByARegisterArgument() {
        let vm = BPFInterpreter(program)
        let d = UInt64(Self.defender)
        // kill, tkill, tgkill, pidfd_open and process_vm_readv of the defender's pid are refused; of any other, allowed.
        for nr: Int32 in [62, 200, 234, 434, 310] {
            #expect(vm.run(arch: x64, nr: nr, args: [d, 9, 0, 0, 0, 0]) == eperm, "syscall \(nr)")
            #expect(vm.run(arch: x64, nr: nr, args: [d + 1, 9, 0, 0, 0, 0]) == allow, "syscall \(nr)")
        }
        // clone with CLONE_UNTRACED is refused; a thread or fork is not. clone3 keeps its flags in memory: ENOSYS.
        #expect(vm.run(arch: x64, nr: 56, args: [0x0080_0000 | 17, 0, 0, 0, 0, 0]) == eperm)
        #expect(vm.run(arch: x64, nr: 56, args: [0x003d_0f00, 0x7000, 0, 0, 0, 0]) == allow)
        #expect(vm.run(arch: x64, nr: 435) == SCUTE_SECCOMP_RET_ERRNO | 38)
        // SCTP sockets (explicit protocol, or SOCK_SEQPACKET on an internet family) are refused.
        #expect(vm.run(arch: x64, nr: 41, args: [2, 1, 132, 0, 0, 0]) == eperm)
        #expect(vm.run(arch: x64, nr: 41, args: [10, 5 | 0x80000, 0, 0, 0, 0]) == eperm)
        #expect(vm.run(arch: x64, nr: 41, args: [2, 1 | 0x800, 6, 0, 0, 0]) == allow)
        #expect(vm.run(arch: x64, nr: 41, args: [1, 5, 0, 0, 0, 0]) == allow)  // a unix seqpacket socket
        // The same guards for 32-bit callers.
        #expect(vm.run(arch: i386, nr: 37, args: [d, 9, 0, 0, 0, 0]) == eperm)
        #expect(vm.run(arch: i386, nr: 120, args: [0x0080_0000 | 17, 0, 0, 0, 0, 0]) == eperm)
        #expect(vm.run(arch: i386, nr: 435) == SCUTE_SECCOMP_RET_ERRNO | 38)
    }

    @Test func sendtoIsTrappedOnlyWithADestination() {
        let vm = BPFInterpreter(program)
        #expect(vm.run(arch: x64, nr: 44, args: [3, 0x1000, 10, 0, 0, 0]) == allow)
        #expect(vm.run(arch: x64, nr: 44, args: [3, 0x1000, 10, 0, 0x7ffd_0000, 16]) == trace)
        #expect(vm.run(arch: x64, nr: 44, args: [3, 0x1000, 10, 0, 0x7ff_0000_0000, 16]) == trace)  // high half only
    }

    @Test func evasionSyscallsAreRefused() {
        let vm = BPFInterpreter(program)
        #expect(vm.run(arch: x64, nr: 425) == eperm)  // io_uring_setup
        #expect(vm.run(arch: x64, nr: 101) == eperm)  // ptrace
        #expect(vm.run(arch: x64, nr: 311) == eperm)  // process_vm_writev
        #expect(vm.run(arch: x64, nr: 310) == allow)  // process_vm_readv of another process
        // seccomp: a filter with a user-notification listener is refused, a plain one is not.
        #expect(vm.run(arch: x64, nr: 317, args: [1, UInt64(SCUTE_SECCOMP_FILTER_FLAG_NEW_LISTENER), 0, 0, 0, 0]) == eperm)
        #expect(vm.run(arch: x64, nr: 317, args: [1, 0, 0, 0, 0, 0]) == allow)
        // x32 numbers are refused.
        #expect(vm.run(arch: x64, nr: 0x4000_0000 | 42) == SCUTE_SECCOMP_RET_ERRNO | 38)
    }

    @Test func foreignArchitectures() {
        let vm = BPFInterpreter(program)
        #expect(vm.run(arch: i386, nr: 11) == trace)  // execve via int 0x80
        #expect(vm.run(arch: i386, nr: 358) == trace)
        for nr: Int32 in [102, 359, 362, 369, 370, 345, 361, 363, 425, 354, 26, 348] {
            #expect(vm.run(arch: i386, nr: nr) == eperm, "i386 syscall \(nr)")
        }
        #expect(vm.run(arch: i386, nr: 20) == allow)  // getpid
        #expect(vm.run(arch: SCUTE_AUDIT_ARCH_AARCH64, nr: 59) == SCUTE_SECCOMP_RET_KILL_PROCESS)
    }

    @Test func aarch64ProgramTooIsWellFormed() {
        let vm = BPFInterpreter(SeccompFilter.program(native: .aarch64, compat: nil))
        #expect(vm.run(arch: SCUTE_AUDIT_ARCH_AARCH64, nr: 221) == trace)
        #expect(vm.run(arch: SCUTE_AUDIT_ARCH_AARCH64, nr: 203) == trace)
        #expect(vm.run(arch: SCUTE_AUDIT_ARCH_AARCH64, nr: 63) == allow)
        #expect(vm.run(arch: SCUTE_AUDIT_ARCH_ARM, nr: 11) == SCUTE_SECCOMP_RET_KILL_PROCESS)
    }

    @Test func filterIsShort() {
        // The fast path (an untrapped syscall) is cached by the kernel; the rest runs a few dozen instructions.
        #expect(program.count < 96)
    }
}

@Suite struct DefenderOptionsTests {
    @Test func parsesDefendAndRasp() throws {
        let o = try DefenderOptions.parse(["--policy", "p.json", "--audit-log=-", "--on-trace-failure", "closed", "--", "sh", "-c", "x"])
        #expect(o.policyPath == "p.json")
        #expect(o.auditLog == "-")
        #expect(o.onTraceFailure == .closed)
        #expect(o.command == ["sh", "-c", "x"])
        #expect(try DefenderOptions.parse(["python3", "--policy"]).command == ["python3", "--policy"])
        let env = try DefenderOptions.parse(["true"], environment: ["SCUTE_APP_ID": "payments", "SCUTE_ON_TRACE_FAILURE": "closed"])
        #expect(env.identity.appID == "payments")
        #expect(env.onTraceFailure == .closed)
    }

    /// A policy file's collections can name the task: its family and the task ID of its ARN.
    @Test func theTaskFamilyAndTaskIDComeFromTheEnvironment() throws {
        let o = try DefenderOptions.parse(
            ["true"],
            environment: ["SCUTE_TASK_FAMILY": "fargate-task-1", "SCUTE_TASK_ARN": "arn:aws:ecs:eu-west-1:1:task/prod/0123abcd"]
        )
        #expect(o.identity.taskFamily == "fargate-task-1" && o.identity.taskID == "0123abcd")
        #expect(Collection(taskFamilies: ["fargate-task*"], taskIDs: ["0123*"]).matches(o.identity))
    }

    @Test(arguments: [["--policy"], ["--bogus", "--", "x"], ["--on-trace-failure", "maybe", "--", "x"], ["--"], []])
    func rejects(args: [String]) {
        #expect(throws: DefenderError.self) { try DefenderOptions.parse(args) }
    }
}
