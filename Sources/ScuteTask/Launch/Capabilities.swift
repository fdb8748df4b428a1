/// Linux capabilities by the names ECS uses (`SYS_PTRACE`, no `CAP_` prefix), and the set a container
/// gets: the container engine's default set, minus `drop` (`ALL` drops every one), plus `add` (`ALL` adds
/// every one), `add` applied last as Docker does.
package enum Capabilities {
    /// Capability names by number (linux/capability.h).
    static let names: [String] = [
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
        "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
        "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
        "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
        "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
        "CHECKPOINT_RESTORE",
    ]

    /// The default set of Docker and containerd, which Fargate uses too.
    static let defaultNames: [String] = [
        "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP",
        "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
    ]

    /// The number of a capability name (with or without `CAP_`, any case), or nil.
    package static func number(of name: String) -> Int? {
        var key = name.uppercased()
        if key.hasPrefix("CAP_") { key.removeFirst(4) }
        return names.firstIndex(of: key)
    }

    /// The kept set as a bit mask (bit n is capability n).
    package static func mask(add: [String], drop: [String], container: String) throws(TaskError) -> UInt64 {
        let all = UInt64(1) << UInt64(names.count) - 1
        func bits(_ list: [String], _ field: String) throws(TaskError) -> UInt64 {
            var mask: UInt64 = 0
            for name in list {
                if name.uppercased() == "ALL" {
                    mask = all
                    continue
                }
                guard let number = number(of: name) else {
                    throw .definition("container \(container): linuxParameters.capabilities.\(field) names an unknown capability \(name)")
                }
                mask |= UInt64(1) << UInt64(number)
            }
            return mask
        }
        var kept: UInt64 = 0
        for name in defaultNames { kept |= UInt64(1) << UInt64(number(of: name)!) }
        kept &= ~(try bits(drop, "drop"))
        kept |= try bits(add, "add")
        return kept
    }
}
