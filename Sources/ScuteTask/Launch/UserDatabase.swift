/// The user and groups a container's process runs as.
package struct Credentials: Sendable, Equatable {
    package var uid: UInt32
    package var gid: UInt32
    /// Supplementary groups.
    package var groups: [UInt32]
    /// The home folder (for HOME when the container does not set it).
    package var home: String

    package init(uid: UInt32, gid: UInt32, groups: [UInt32] = [], home: String) {
        self.uid = uid
        self.gid = gid
        self.groups = groups
        self.home = home
    }
}

/// A root's /etc/passwd and /etc/group, to resolve the container's `user` (`name`, `uid`, `name:group`,
/// `uid:gid`, ...) as a container engine does: names must exist, numbers need not.
package struct UserDatabase: Sendable {
    private struct Account {
        var name: String
        var uid: UInt32
        var gid: UInt32
        var home: String
    }

    private struct Group {
        var name: String
        var gid: UInt32
        var members: [String]
    }

    private var accounts: [Account] = []
    private var groupEntries: [Group] = []

    /// Reads the two files' text (nil when the root has no such file).
    package init(passwd: String?, group: String?) {
        for fields in Self.records(passwd) where fields.count >= 6 {
            guard let uid = UInt32(fields[2]), let gid = UInt32(fields[3]) else { continue }
            accounts.append(Account(name: fields[0], uid: uid, gid: gid, home: fields[5]))
        }
        for fields in Self.records(group) where fields.count >= 3 {
            guard let gid = UInt32(fields[2]) else { continue }
            let members = fields.count > 3 ? fields[3].split(separator: ",").map(String.init) : []
            groupEntries.append(Group(name: fields[0], gid: gid, members: members))
        }
    }

    private static func records(_ text: String?) -> [[String]] {
        guard let text else { return [] }
        return text.split(separator: "\n").compactMap { line in
            if line.hasPrefix("#") { return nil }
            return line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// Resolves `user` (nil or empty: root) for the container named `container` (named in errors).
    package func resolve(_ user: String?, container: String) throws(TaskError) -> Credentials {
        let spec = user ?? ""
        let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let userPart = parts.first ?? ""
        let groupPart = parts.count > 1 ? parts[1] : ""
        var credentials = Credentials(uid: 0, gid: 0, home: "/")
        var account: Account?
        if userPart.isEmpty {
            account = accounts.first { $0.uid == 0 }
        } else if let found = accounts.first(where: { $0.name == userPart }) {
            account = found
        } else if let found = accounts.first(where: { String($0.uid) == userPart }) {
            account = found
        } else if let uid = Self.id(userPart) {
            credentials.uid = uid
        } else {
            throw .definition("container \(container): user \(userPart) is not in the root's /etc/passwd")
        }
        if let account {
            credentials = Credentials(uid: account.uid, gid: account.gid, home: account.home.isEmpty ? "/" : account.home)
        }
        if !groupPart.isEmpty {
            if let found = groupEntries.first(where: { $0.name == groupPart }) {
                credentials.gid = found.gid
            } else if let gid = Self.id(groupPart) {
                credentials.gid = gid
            } else {
                throw .definition("container \(container): group \(groupPart) is not in the root's /etc/group")
            }
        } else if let name = account?.name {
            credentials.groups = groupEntries.filter { $0.members.contains(name) && $0.gid != credentials.gid }.map(\.gid)
        }
        return credentials
    }

    private static func id(_ text: String) -> UInt32? {
        guard let value = UInt32(text), value < UInt32(Int32.max) else { return nil }
        return value
    }
}
