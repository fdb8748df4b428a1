import Glibc
import ScuteDefender

// `defender rasp -- CMD...` and `defender defend [OPTIONS] -- CMD...`: no ArgumentParser, no Foundation,
// so the binary can be linked fully static and dropped into any image.
let args = Array(CommandLine.arguments.dropFirst())
let usage = """
    usage: defender defend [--policy FILE] [--audit-log FILE|-] [--forensics FILE] [--on-trace-failure open|closed]
                           [--app-id ID] [--container NAME] [--image NAME] [--no-dns-redirect] -- CMD [ARGS...]
           defender rasp [OPTIONS] [--] CMD [ARGS...]
           defender version
    """
guard let sub = args.first else {
    Sys.warn(usage)
    exit(2)
}
switch sub {
case "defend", "rasp":
    do {
        let environment = Defender.environment().dictionary
        let options = try DefenderOptions.parse(Array(args.dropFirst()), environment: environment)
        // In a task with a sidecar, the console is reached through the socket in the shared volume.
        guard let socket = LocalLink.socketPath(environment: environment) else { exit(Defender.run(options)) }
        let link = LocalLink(
            configuration: LocalLink.Configuration(socketPath: socket, hello: LocalLink.hello(environment: environment, identity: options.identity))
        )
        let policyWait = environment["SCUTE_POLICY_WAIT"].flatMap(Double.init) ?? 5
        let hooks = DefenderHooks(
            prepare: { live in
                link.start(live: live)
                // No local policy: give the sidecar a moment, so the app does not start on nothing.
                if options.policyPath == nil { link.waitForPolicy(seconds: policyWait) }
            },
            audits: { link.record($0) }
        )
        let code = Defender.run(options, hooks: hooks)
        link.drain(seconds: environment["SCUTE_DRAIN_TIMEOUT"].flatMap(Double.init) ?? 3)
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
