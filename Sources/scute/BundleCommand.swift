import ArgumentParser
import ScuteBundle

struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Pack the defender into the bundle that the sidecar and the Dockerfile embed install as /scute/defender.",
        discussion: """
            The defender must be a fully static executable, so that it runs in any image (no shell, no libc). \
            Build it with: swift build -c release --product scute-defender --static-swift-stdlib \
            -Xswiftc -static-executable -Xlinker -s --scratch-path .build-release
            """
    )

    @Option(name: .shortAndLong, help: "Where to write the bundle.")
    var output: String = DefenderBundle.defaultFileName

    @Option(help: "The defender executable (default: scute-defender next to this scute executable).")
    var defender: String?

    @Flag(help: "Accept a dynamically linked defender (it will only run in images with a matching libc).")
    var allowDynamic = false

    func run() throws {
        try CLIError.reporting {
            let path = try defender ?? Self.defaultDefenderPath()
            let bytes = try FileIO.readBytes(path)
            switch ELF.isStaticExecutable(bytes) {
            case nil:
                throw CLIError("\(path) is not a 64-bit ELF executable")
            case false? where !allowDynamic:
                throw CLIError(
                    "\(path) needs a dynamic loader, so it would not start in images without one; build it with "
                        + "-Xswiftc -static-executable (see scute bundle --help) or pass --allow-dynamic"
                )
            default:
                break
            }
            let bundle: [UInt8]
            do {
                bundle = try DefenderBundle.make(defender: bytes, version: Scute.configuration.version)
            } catch let error as BundleError {
                throw CLIError(error.message)
            }
            try FileIO.writeBytes(bundle, to: output)
            let arch = ELF.architecture(bytes) ?? "unknown architecture"
            FileIO.printError("wrote \(output): \(bundle.count) bytes (defender for linux/\(arch), \(bytes.count) bytes)")
        }
    }

    /// `scute-defender` in the folder of the running scute executable.
    static func defaultDefenderPath() throws -> String {
        guard let me = FileSystem.currentExecutable(), let slash = me.lastIndex(of: "/") else {
            throw CLIError("cannot find the scute executable's folder; pass --defender PATH")
        }
        let path = String(me[..<slash]) + "/scute-defender"
        guard FileSystem.exists(path) else {
            throw CLIError("no defender at \(path); build the scute-defender product or pass --defender PATH")
        }
        return path
    }
}
