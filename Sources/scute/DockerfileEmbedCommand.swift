import ArgumentParser
import ScuteBundle
import ScuteCore
import ScuteEmbed

struct EmbedDockerfile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dockerfile",
        abstract: "Protect a Dockerfile: write a zip with the augmented Dockerfile and the defender bundle.",
        discussion: """
            The image's final stage gets the bundle ADDed into the data folder, SCUTE_* environment variables, \
            and an exec-form ENTRYPOINT that starts the original entrypoint under <data folder>/defender rasp --. \
            Unzip the output into the build context and run docker build as before.
            """
    )

    @Argument(help: "The Dockerfile.")
    var dockerfile: String

    @Option(name: .shortAndLong, help: "Where to write the zip.")
    var output: String = "scute-embed.zip"

    @Option(name: .customLong("app-id"), help: "The application ID the defender reports (SCUTE_APP_ID).")
    var appID: String

    @Option(help: "The console's defender channel address, e.g. wss://console.example.com:8084 (SCUTE_CONSOLE).")
    var console: String?

    @Option(name: .customLong("install-bundle"), help: "The install bundle (base64) from the console (SCUTE_INSTALL_BUNDLE).")
    var installBundle: String?

    @Option(name: .customLong("install-bundle-file"), help: "A file holding the install bundle.")
    var installBundleFile: String?

    @Option(name: .customLong("data-folder"), help: "Where the defender lives in the image.")
    var dataFolder: String = "/scute"

    @Option(help: "The base image's ENTRYPOINT as JSON ([] when it has none), when the Dockerfile does not set one.")
    var entrypoint: String?

    @Option(help: "The base image's CMD as JSON (null when it has none), when the Dockerfile does not set one.")
    var cmd: String?

    @Option(name: .customLong("image-config"), help: "`docker image inspect` or OCI config JSON of the final stage's base image.")
    var imageConfig: String?

    @Option(name: .customLong("build-arg"), help: "NAME=VALUE for an ARG used in FROM, as given to docker build (repeatable).")
    var buildArgs: [String] = []

    @Option(help: "The stage to protect, as given to docker build --target (default: the last stage).")
    var target: String?

    @Option(help: "The target platform, as given to docker build --platform (sets TARGETARCH and friends for FROM).")
    var platform: String = "linux/amd64"

    @Option(help: "The defender bundle to include (default: scute-defender.tar.gz next to scute, else one made from scute-defender there).")
    var bundle: String?

    @Option(
        name: .customLong("startup-mode"),
        help: """
            availability (default): the app starts at once on the cached or default policy; security: only once the \
            defender has the console's policy.
            """
    )
    var startupMode: String = StartupMode.availability.rawValue

    func run() throws {
        try CLIError.reporting {
            var bundleText = installBundle
            if let installBundleFile {
                guard bundleText == nil else { throw CLIError("give --install-bundle or --install-bundle-file, not both") }
                bundleText = try FileIO.readText(installBundleFile).dockerfileCLITrimmed()
            }
            var options = DockerfileEmbedOptions(
                appID: appID,
                console: console,
                installBundle: bundleText,
                dataFolder: dataFolder,
                target: target,
                platform: platform
            )
            do {
                options.startupMode = try StartupMode(parsing: startupMode, source: "--startup-mode")
            } catch {
                throw CLIError("\(error)")
            }
            do {
                if let entrypoint { options.baseEntrypoint = .known(try DockerImageProcess.parseList(entrypoint, option: "--entrypoint")) }
                if let cmd { options.baseCmd = .known(try DockerImageProcess.parseList(cmd, option: "--cmd")) }
                if let imageConfig { options.imageConfig = try DockerImageProcess.parse(try FileIO.readText(imageConfig)) }
            } catch let error as DockerfileError {
                throw CLIError(error.description)
            }
            for spec in buildArgs {
                guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else { throw CLIError("--build-arg \"\(spec)\": expected NAME=VALUE") }
                options.buildArgs[String(spec[..<eq])] = String(spec[spec.index(after: eq)...])
            }
            let text = try FileIO.readText(dockerfile)
            let result: DockerfileEmbedResult
            do {
                result = try DockerfileEmbed.embed(text, options: options)
            } catch let error as DockerfileError {
                throw CLIError("\(dockerfile): \(error.description)")
            }
            let bundleBytes = try loadBundle()
            let wanted = platform.split(separator: "/").dropFirst().first.map(String.init)
            if let arch = DefenderBundle.architecture(ofBundle: bundleBytes), let wanted, arch != wanted {
                throw CLIError(
                    "the defender bundle is for linux/\(arch) but the image is built for \(platform): "
                        + "pass --bundle with a linux/\(wanted) bundle (docs/bundle.md) or the right --platform"
                )
            }
            var zip = ZipArchive()
            zip.add(name: "Dockerfile", data: Array(result.dockerfile.utf8))
            zip.add(name: options.bundleFileName, data: bundleBytes)
            try FileIO.writeBytes(zip.finish(), to: output)
            for note in result.notes { FileIO.warn(note) }
            FileIO.printError("wrote \(output): Dockerfile runs \(result.command)")
        }
    }

    func loadBundle() throws -> [UInt8] {
        if let bundle { return try checkedBundle(FileIO.readBytes(bundle), bundle) }
        guard let me = FileSystem.currentExecutable(), let slash = me.lastIndex(of: "/") else {
            throw CLIError("cannot find the scute executable's folder; pass --bundle FILE")
        }
        let folder = String(me[..<slash])
        let prebuilt = folder + "/" + DefenderBundle.defaultFileName
        if FileSystem.exists(prebuilt) { return try checkedBundle(FileIO.readBytes(prebuilt), prebuilt) }
        let defender = folder + "/scute-defender"
        guard FileSystem.exists(defender) else {
            throw CLIError("no defender bundle next to scute: pass --bundle FILE (make one with scute bundle)")
        }
        let bytes = try FileIO.readBytes(defender)
        guard ELF.isStaticExecutable(bytes) == true else {
            throw CLIError("\(defender) is not a static executable; make a bundle with scute bundle and pass --bundle FILE")
        }
        do {
            return try DefenderBundle.make(defender: bytes, version: Scute.configuration.version)
        } catch {
            throw CLIError(error.message)
        }
    }

    func checkedBundle(_ bytes: [UInt8], _ path: String) throws -> [UInt8] {
        guard bytes.count > 2, bytes[0] == 0x1F, bytes[1] == 0x8B else {
            throw CLIError("\(path) is not a gzip file (a defender bundle is a .tar.gz)")
        }
        return bytes
    }
}

extension String {
    fileprivate func dockerfileCLITrimmed() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
