/// One classic-BPF instruction, as the kernel's `struct sock_filter` lays it out.
package struct BPFInstruction: Sendable, Equatable {
    package var code: UInt16
    package var jt: UInt8
    package var jf: UInt8
    package var k: UInt32

    static let ldWAbs: UInt16 = 0x00 | 0x00 | 0x20  // BPF_LD | BPF_W | BPF_ABS
    static let jeqK: UInt16 = 0x05 | 0x10  // BPF_JMP | BPF_JEQ | BPF_K
    static let jgtK: UInt16 = 0x05 | 0x20  // BPF_JMP | BPF_JGT | BPF_K
    static let jgeK: UInt16 = 0x05 | 0x30  // BPF_JMP | BPF_JGE | BPF_K
    static let jsetK: UInt16 = 0x05 | 0x40  // BPF_JMP | BPF_JSET | BPF_K
    static let ja: UInt16 = 0x05 | 0x00  // BPF_JMP | BPF_JA
    static let retK: UInt16 = 0x06  // BPF_RET | BPF_K
    static let aluAndK: UInt16 = 0x04 | 0x50  // BPF_ALU | BPF_AND | BPF_K
}

/// Builds a BPF program with symbolic labels, resolving jump offsets at the end: hand-counted offsets
/// are how unrelated syscalls end up refused.
package struct BPFProgramBuilder {
    package enum Target: Hashable {
        case next
        case label(String)
    }

    private enum Pending {
        case fixed(BPFInstruction)
        case jump(code: UInt16, k: UInt32, jt: Target, jf: Target)
        case always(Target)
    }

    private var items: [Pending] = []
    private var labels: [String: Int] = [:]

    package init() {}

    package mutating func label(_ name: String) {
        precondition(labels[name] == nil, "duplicate label \(name)")
        labels[name] = items.count
    }

    package mutating func load(offset: UInt32) { items.append(.fixed(BPFInstruction(code: BPFInstruction.ldWAbs, jt: 0, jf: 0, k: offset))) }
    package mutating func ret(_ value: UInt32) { items.append(.fixed(BPFInstruction(code: BPFInstruction.retK, jt: 0, jf: 0, k: value))) }
    package mutating func jumpIfEqual(_ k: UInt32, then jt: Target, else jf: Target = .next) {
        items.append(.jump(code: BPFInstruction.jeqK, k: k, jt: jt, jf: jf))
    }
    package mutating func jumpIfGreaterOrEqual(_ k: UInt32, then jt: Target, else jf: Target = .next) {
        items.append(.jump(code: BPFInstruction.jgeK, k: k, jt: jt, jf: jf))
    }
    package mutating func jumpIfAnyBit(_ k: UInt32, then jt: Target, else jf: Target = .next) {
        items.append(.jump(code: BPFInstruction.jsetK, k: k, jt: jt, jf: jf))
    }
    package mutating func jump(_ target: Target) { items.append(.always(target)) }
    package mutating func and(_ k: UInt32) { items.append(.fixed(BPFInstruction(code: BPFInstruction.aluAndK, jt: 0, jf: 0, k: k))) }

    /// The finished program; traps when a jump goes backwards or too far (BPF allows neither).
    package func build() -> [BPFInstruction] {
        func offset(from index: Int, to target: Target, limit: Int) -> Int {
            let dest: Int
            switch target {
            case .next: dest = index + 1
            case .label(let name):
                guard let d = labels[name] else { preconditionFailure("undefined label \(name)") }
                dest = d
            }
            let off = dest - index - 1
            precondition(off >= 0 && off <= limit, "jump out of range")
            return off
        }
        return items.enumerated().map { i, item in
            switch item {
            case .fixed(let ins): return ins
            case .jump(let code, let k, let jt, let jf):
                return BPFInstruction(
                    code: code,
                    jt: UInt8(offset(from: i, to: jt, limit: 255)),
                    jf: UInt8(offset(from: i, to: jf, limit: 255)),
                    k: k
                )
            case .always(let t):
                return BPFInstruction(code: BPFInstruction.ja, jt: 0, jf: 0, k: UInt32(offset(from: i, to: t, limit: Int(Int32.max))))
            }
        }
    }
}

/// Runs a seccomp BPF program against a syscall, the way the kernel would (for the instructions the
/// generator emits). Used by tests to check the generated filter against a table of syscalls.
package struct BPFInterpreter {
    package let program: [BPFInstruction]

    package init(_ program: [BPFInstruction]) { self.program = program }

    /// The filter's return value for a syscall (seccomp_data: nr, arch, ip, args).
    package func run(arch: UInt32, nr: Int32, args: [UInt64] = [0, 0, 0, 0, 0, 0]) -> UInt32? {
        func word(_ offset: UInt32) -> UInt32? {
            switch offset {
            case 0: return UInt32(bitPattern: nr)
            case 4: return arch
            case 8, 12: return 0
            default:
                guard offset >= 16, offset < 64, offset % 4 == 0 else { return nil }
                let a = args[Int((offset - 16) / 8)]
                return (offset - 16) % 8 == 0 ? UInt32(truncatingIfNeeded: a) : UInt32(truncatingIfNeeded: a >> 32)
            }
        }
        var acc: UInt32 = 0
        var pc = 0
        var steps = 0
        while pc < program.count && steps < 10_000 {
            steps += 1
            let ins = program[pc]
            switch ins.code {
            case BPFInstruction.ldWAbs:
                guard let w = word(ins.k) else { return nil }
                acc = w
                pc += 1
            case BPFInstruction.jeqK: pc += 1 + Int(acc == ins.k ? ins.jt : ins.jf)
            case BPFInstruction.jgeK: pc += 1 + Int(acc >= ins.k ? ins.jt : ins.jf)
            case BPFInstruction.jsetK: pc += 1 + Int(acc & ins.k != 0 ? ins.jt : ins.jf)
            case BPFInstruction.ja: pc += 1 + Int(ins.k)
            case BPFInstruction.aluAndK:
                acc &= ins.k
                pc += 1
            case BPFInstruction.retK: return ins.k
            default: return nil
            }
        }
        return nil
    }
}
