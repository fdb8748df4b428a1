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
        let options = try DefenderOptions.parse(Array(args.dropFirst()), environment: Defender.environment().dictionary)
        exit(Defender.run(options))
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
