import Glibc
import ScuteCore
import ScuteDefender

/// Where a defender that reaches the console itself keeps its state (audit spool, cached policy,
/// defender ID), and whether the app can write it.
///
/// The folder is `<data folder>/state`, or `/tmp/scute-UID` when the data folder is not writable (a
/// read-only volume, a non-root defender), made 0700 and used only when it is a real directory owned by
/// the defender: a folder or symlink someone else planted there is not used (a fresh private folder is
/// made instead). Only a user other than the app's keeps it from the app: the defender as root with
/// `--user` for the app. When both share a user the state cannot be protected, and `warning` says so.
struct StateFolder {
    var path: String
    var warning: AuditEvent?

    static func choose(preferred: String, appUser: String?) -> StateFolder {
        let base = access(preferred, W_OK) == 0 ? preferred + "/state" : "/tmp/scute-\(geteuid())"
        var path = base
        if !Self.isPrivate(path, create: true) {
            var template = Array("/tmp/scute-state-XXXXXX".utf8CString)
            path = template.withUnsafeMutableBufferPointer { b in mkdtemp(b.baseAddress!).map { String(cString: $0) } } ?? base
            Sys.warn("scute: \(base) is not a private folder of the defender's; using \(path)")
        }
        // The app runs as another user only when the defender is root and was given one to switch to.
        let separated = geteuid() == 0 && appUser != nil && appUser != "root" && appUser != "0"
        guard !separated else { return StateFolder(path: path, warning: nil) }
        let warning = AuditEvent(
            time: Sys.now(),
            type: .defender,
            effect: .alert,
            attackType: .defenderTampering,
            msg:
                "the defender's state in \(path) (audit spool, cached policy, defender ID) is writable by the app, which runs as "
                + "the same user (uid \(geteuid())): run the defender as root and the app with --user to keep it out of reach"
        )
        return StateFolder(path: path, warning: warning)
    }

    /// Whether `path` is a directory (not a symlink) owned by the defender with no access for others,
    /// after creating it (0700) when missing and taking group and other access away when it has some.
    static func isPrivate(_ path: String, create: Bool) -> Bool {
        if create { _ = mkdir(path, 0o700) }
        var st = stat()
        guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR, st.st_uid == geteuid() else { return false }
        if st.st_mode & 0o077 != 0 { return chmod(path, 0o700) == 0 }
        return true
    }
}
