import Glibc
import ScuteDefender
import ScuteDefenderUplink
import ScuteScanSQLite

// `defender rasp -- CMD...` and `defender defend [OPTIONS] -- CMD...`: no ArgumentParser and no Foundation
// beyond FoundationEssentials, so the binary links fully static and drops into any image. It reaches the
// console through the sidecar's relay socket, or directly with SCUTE_INSTALL_BUNDLE (DefenderLink).
let args = Array(CommandLine.arguments.dropFirst())
let usage = """
    usage: defender defend [--policy FILE] [--audit-log FILE|-] [--forensics FILE] [--on-trace-failure open|closed]
                           [--app-id ID] [--container NAME] [--image NAME] [--no-dns-redirect]
                           [--keep-capability CAP]... [--user USER[:GROUP]] [--dns-resolver IP]...
                           [--startup-mode availability|security] -- CMD [ARGS...]
           defender rasp [OPTIONS] [--] CMD [ARGS...]
           defender version
    """
guard let sub = args.first else {
    Sys.warn(usage)
    exit(2)
}
switch sub {
case "defend", "rasp":
    Defender.prepareProcess()
    do {
        let environment = Defender.environment().dictionary
        let options = try DefenderOptions.parse(Array(args.dropFirst()), environment: environment)
        let link: DefenderLink.Setup
        do {
            link = try DefenderLink.setup(environment: environment, options: options)
        } catch {
            Sys.warn("defender: \(error.description); not starting the app")
            exit(2)
        }
        var hooks = link.hooks
        // rpm images (rpmdb.sqlite) through the system SQLite, linked statically into this executable.
        hooks.rpmHeaderSource = SystemRpmHeaderSource()
        let code = Defender.run(options, hooks: hooks)
        link.drain()
        exit(code)
    } catch {
        Sys.warn("defender: \(error.description)\n\(usage)")
        exit(2)
    }
case "version", "--version":
    print("scute-defender \(defenderVersion)")
default:
    Sys.warn(usage)
    exit(2)
}
