import Glibc

/// What the app gives up before its first instruction: capabilities that would let it reach around the
/// defender, and (when the defender runs as root) the user it runs as.
package struct SpawnIdentity: Sendable, Equatable {
    /// A user, group and supplementary groups to run the app as.
    package struct User: Sendable, Equatable {
        package var uid: UInt32
        package var gid: UInt32
        package var groups: [UInt32]
        /// The home folder /etc/passwd gives the user.
        package var home: String?

        package init(uid: UInt32, gid: UInt32, groups: [UInt32] = [], home: String? = nil) {
            self.uid = uid
            self.gid = gid
            self.groups = groups
            self.home = home
        }
    }

    /// Capabilities by name (without CAP_) and bit number.
    package static let capabilityNumbers: [String: Int] = [
        "CHOWN": 0, "DAC_OVERRIDE": 1, "DAC_READ_SEARCH": 2, "FOWNER": 3, "FSETID": 4, "KILL": 5, "SETGID": 6, "SETUID": 7,
        "SETPCAP": 8, "LINUX_IMMUTABLE": 9, "NET_BIND_SERVICE": 10, "NET_BROADCAST": 11, "NET_ADMIN": 12, "NET_RAW": 13,
        "IPC_LOCK": 14, "IPC_OWNER": 15, "SYS_MODULE": 16, "SYS_RAWIO": 17, "SYS_CHROOT": 18, "SYS_PTRACE": 19,
        "SYS_PACCT": 20, "SYS_ADMIN": 21, "SYS_BOOT": 22, "SYS_NICE": 23, "SYS_RESOURCE": 24, "SYS_TIME": 25,
        "SYS_TTY_CONFIG": 26, "MKNOD": 27, "LEASE": 28, "AUDIT_WRITE": 29, "AUDIT_CONTROL": 30, "SETFCAP": 31,
        "MAC_OVERRIDE": 32, "MAC_ADMIN": 33, "SYSLOG": 34, "WAKE_ALARM": 35, "BLOCK_SUSPEND": 36, "AUDIT_READ": 37,
        "PERFMON": 38, "BPF": 39, "CHECKPOINT_RESTORE": 40,
    ]

    /// Dropped unless kept on purpose: SYS_PTRACE (the defender's memory and its tracees'), NET_RAW (raw
    /// and packet sockets send what no connect check sees), NET_ADMIN (firewall rules that rewrite a checked
    /// destination, TCP repair), SYS_ADMIN, SYS_MODULE, BPF and PERFMON (the kernel itself), SYS_RAWIO.
    package static let droppedByDefault = ["SYS_PTRACE", "NET_RAW", "NET_ADMIN", "SYS_ADMIN", "SYS_MODULE", "SYS_RAWIO", "BPF", "PERFMON"]

    package var dropCapabilities: UInt64
    package var user: User?

    package var groups: [UInt32] { user?.groups ?? [] }

    package init(keep: [String] = [], user: User? = nil) {
        self.dropCapabilities = Self.droppedByDefault.filter { !keep.contains($0) }.reduce(UInt64(0)) { mask, name in
            mask | (1 << UInt64(Self.capabilityNumbers[name] ?? 63))
        }
        self.user = user
    }

    /// A capability name as users write it (`NET_RAW`, `cap_net_raw`), normalised; nil when unknown.
    package static func capabilityName(_ text: String) -> String? {
        var name = text.uppercased()
        if name.hasPrefix("CAP_") { name.removeFirst(4) }
        return capabilityNumbers[name] == nil ? nil : name
    }

    /// Resolves `USER[:GROUP]` (names or numbers) against the root's /etc/passwd and /etc/group, the
    /// way an image's USER instruction means it; nil with a reason when it cannot be resolved.
    package static func resolveUser(_ spec: String, passwd: [UInt8]?, group: [UInt8]?) -> Result<User, ResolveError> {
        let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let userPart = parts.first, !userPart.isEmpty else { return .failure(ResolveError(message: "empty user")) }
        let passwdEntries = Self.entries(passwd)
        let groupEntries = Self.entries(group)
        let uid: UInt32
        var gid: UInt32?
        var name: String?
        var home: String?
        if let n = UInt32(userPart) {
            uid = n
            if let e = passwdEntries.first(where: { $0.count > 3 && UInt32($0[2]) == n }) {
                gid = UInt32(e[3])
                name = e[0]
                home = e.count > 5 ? e[5] : nil
            }
        } else if let e = passwdEntries.first(where: { $0.count > 3 && $0[0] == userPart }), let u = UInt32(e[2]) {
            uid = u
            gid = UInt32(e[3])
            name = userPart
            home = e.count > 5 ? e[5] : nil
        } else {
            return .failure(ResolveError(message: "no user \(userPart) in /etc/passwd"))
        }
        if parts.count == 2 {
            let g = parts[1]
            if let n = UInt32(g) {
                gid = n
            } else if let e = groupEntries.first(where: { $0.count > 2 && $0[0] == g }), let n = UInt32(e[2]) {
                gid = n
            } else {
                return .failure(ResolveError(message: "no group \(g) in /etc/group"))
            }
        }
        let primary = gid ?? uid
        var groups: [UInt32] = []
        if let name {
            for e in groupEntries where e.count > 3 && e[3].split(separator: ",").contains(Substring(name)) {
                if let n = UInt32(e[2]), n != primary, !groups.contains(n) { groups.append(n) }
            }
        }
        return .success(User(uid: uid, gid: primary, groups: groups, home: home))
    }

    package struct ResolveError: Error, Equatable {
        package var message: String
    }

    private static func entries(_ file: [UInt8]?) -> [[String]] {
        guard let file else { return [] }
        return file.split(separator: 10).map { line in
            line.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        }
    }
}
