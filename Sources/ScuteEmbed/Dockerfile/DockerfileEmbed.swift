import ScuteCore

/// Options of the Dockerfile embed.
public struct DockerfileEmbedOptions: Sendable, Equatable {
    /// SCUTE_APP_ID.
    public var appID: String
    /// SCUTE_CONSOLE, when given.
    public var console: String?
    /// SCUTE_INSTALL_BUNDLE, when given.
    public var installBundle: String?
    /// Where the bundle is unpacked in the image; the defender is `<dataFolder>/defender`.
    public var dataFolder: String
    /// The bundle's file name in the build context.
    public var bundleFileName: String
    /// The base image's Entrypoint from `--entrypoint`; overrides `imageConfig`.
    public var baseEntrypoint: DockerImageValue
    /// The base image's Cmd from `--cmd`; overrides `imageConfig`.
    public var baseCmd: DockerImageValue
    /// The base image's config from `--image-config`.
    public var imageConfig: DockerImageProcess?
    /// `--build-arg` values, for ARGs used in FROM.
    public var buildArgs: [String: String]
    /// The stage to protect (`docker build --target`); the last stage when nil.
    public var target: String?
    /// The target platform (`docker build --platform`), for TARGETARCH and friends in FROM.
    public var platform: String
    /// How the defender starts the app before the console answers; security adds `SCUTE_STARTUP_MODE=security`.
    public var startupMode: StartupMode

    public init(
        appID: String,
        console: String? = nil,
        installBundle: String? = nil,
        dataFolder: String = "/scute",
        bundleFileName: String = "scute-defender.tar.gz",
        baseEntrypoint: DockerImageValue = .unknown,
        baseCmd: DockerImageValue = .unknown,
        imageConfig: DockerImageProcess? = nil,
        buildArgs: [String: String] = [:],
        target: String? = nil,
        platform: String = "linux/amd64",
        startupMode: StartupMode = .availability
    ) {
        self.appID = appID
        self.console = console
        self.installBundle = installBundle
        self.dataFolder = dataFolder
        self.bundleFileName = bundleFileName
        self.baseEntrypoint = baseEntrypoint
        self.baseCmd = baseCmd
        self.imageConfig = imageConfig
        self.buildArgs = buildArgs
        self.target = target
        self.platform = platform
        self.startupMode = startupMode
    }
}

/// The protected Dockerfile and what it runs.
public struct DockerfileEmbedResult: Sendable, Equatable {
    /// The augmented Dockerfile text.
    public var dockerfile: String
    /// What the original image ran (Entrypoint followed by Cmd), as Docker would run it.
    public var originalCommand: [String]
    /// The new ENTRYPOINT.
    public var entrypoint: [String]
    /// The re-declared CMD, when the original one had to be restated.
    public var cmd: [String]?
    /// What the embedded image runs: the new ENTRYPOINT followed by the CMD in effect (kept or restated).
    public var command: [String]
    /// Things a reviewer should know (assumptions made).
    public var notes: [String]
}

/// Embeds the defender into a Dockerfile: appends to the stage that is built (the last one, or `target`)
/// an ADD of the defender bundle into the data folder, ENV for the SCUTE_* variables, an exec-form
/// ENTRYPOINT that starts the original entrypoint under `<data folder>/defender rasp --`, and the original
/// CMD again where the new ENTRYPOINT would reset it. Re-running replaces an earlier embed.
public enum DockerfileEmbed {
    /// The first line of the generated block.
    public static let beginMarker = "# >>> scute embed dockerfile: begin (generated; running the embed again replaces this block)"
    /// The last line of the generated block.
    public static let endMarker = "# <<< scute embed dockerfile: end"

    /// Embeds the defender into Dockerfile text.
    public static func embed(_ text: String, options: DockerfileEmbedOptions) throws(DockerfileError) -> DockerfileEmbedResult {
        let newline = text.unicodeScalars.contains("\r") ? "\r\n" : "\n"
        var lines = removingPreviousEmbed(dockerfileLines(text))

        let file = try Dockerfile.parse(lines.joined(separator: "\n"))
        try validate(options, escape: file.escapeToken)

        // First pass with nothing known of external images, to find the root of the target's chain.
        let firstPass = try DockerfileStages.analyze(file, buildArgs: options.buildArgs, platform: options.platform)
        let targetIndex = try targetStage(firstPass, options.target)
        var rootIndex = targetIndex
        while let base = firstPass.stages[rootIndex].baseStage { rootIndex = base }
        var baseImages: [Int: DockerfileStages.BaseImage] = [:]
        let root = firstPass.stages[rootIndex]
        if root.rootImage != nil {
            var known = DockerfileStages.BaseImage(entrypoint: options.baseEntrypoint, cmd: options.baseCmd)
            if let config = options.imageConfig {
                if known.entrypoint == .unknown { known.entrypoint = .known(config.entrypoint) }
                if known.cmd == .unknown { known.cmd = .known(config.cmd) }
                known.shell = config.shell
                known.shellKnown = true
                known.user = config.user
                for trigger in config.onBuild {
                    let parsed: Dockerfile
                    do {
                        parsed = try Dockerfile.parse(trigger)
                    } catch {
                        throw DockerfileError(.invalidImageConfig, line: nil, "OnBuild trigger \(trigger): \(error.message)")
                    }
                    known.onBuild += parsed.instructions
                }
            }
            baseImages[root.fromLine] = known
        }
        let stages = try DockerfileStages.analyze(
            file,
            buildArgs: options.buildArgs,
            baseImages: baseImages,
            platform: options.platform
        )
        let stage = stages.stages[targetIndex]

        guard case .known(let entrypoint) = stage.entrypoint else {
            throw DockerfileError(
                .missingImageConfig,
                line: stage.rootLine,
                "the image is built on \(stage.rootImage ?? "?"), whose ENTRYPOINT Scute cannot see, and the Dockerfile "
                    + "never sets ENTRYPOINT: pass --entrypoint with that image's ENTRYPOINT as JSON ([] if it has none) "
                    + "or --image-config with the output of docker image inspect \(stage.rootImage ?? "")"
            )
        }
        var redeclaredCmd: [String]?
        var cmd: [String]?
        switch stage.cmd {
        case .known(let c):
            cmd = c
            if !stage.cmdSet, let c, !c.isEmpty { redeclaredCmd = c }
        case .unknown:
            throw DockerfileError(
                .missingImageConfig,
                line: stage.rootLine,
                "the image is built on \(stage.rootImage ?? "?"), whose CMD Scute cannot see, and a new ENTRYPOINT "
                    + "would reset it: pass --cmd with that image's CMD as JSON (null if it has none) "
                    + "or --image-config with the output of docker image inspect \(stage.rootImage ?? "")"
            )
        }
        let original = (entrypoint ?? []) + (cmd ?? [])
        let defender = options.dataFolder.hasSuffix("/") ? options.dataFolder + "defender" : options.dataFolder + "/defender"
        if let entrypoint, entrypoint.count >= 3, entrypoint[0].hasSuffix("/defender"), entrypoint[1] == "rasp" {
            throw DockerfileError(
                .invalidInstruction,
                line: stage.entrypointLine,
                "the ENTRYPOINT already starts the Scute defender (\(entrypoint[0])); embed the original Dockerfile"
            )
        }
        var notes: [String] = []
        // An image that runs as another user than root: the defender runs as root and starts the app as
        // that user, so the app can neither write the defender's state nor read or signal the defender.
        var appUser: String?
        switch stage.user {
        case .some(let user) where Self.isRoot(user):
            break
        case .some(let user) where user.contains("$"):
            notes.append(
                "USER \(user) uses a variable, which an exec-form ENTRYPOINT cannot expand: the defender runs as that user, "
                    + "and its state is then writable by the app"
            )
        case .some(let user):
            appUser = user
            notes.append("the defender runs as root and starts the app as USER \(user) (its state stays out of the app's reach)")
        case .none:
            // The base image's USER is not known (no --image-config): most images run as root; one that does
            // not gets the defender's start-up audit saying its state is writable by the app.
            break
        }
        let newEntrypoint = [defender, "rasp"] + (appUser.map { ["--user", $0] } ?? []) + ["--"] + (entrypoint ?? [])

        if stage.assumedDefaultShell {
            notes.append(
                "shell-form ENTRYPOINT/CMD resolved with /bin/sh -c; if \(stage.rootImage ?? "the base image") sets "
                    + "another SHELL, pass --image-config"
            )
        }
        if original.isEmpty {
            notes.append("the image has neither ENTRYPOINT nor CMD: the defender runs whatever command `docker run` is given")
        }

        var block = [beginMarker]
        let folder = options.dataFolder.hasSuffix("/") ? options.dataFolder : options.dataFolder + "/"
        block.append("ADD " + json([options.bundleFileName, folder]))
        var env: [(String, String)] = [("SCUTE_APP_ID", options.appID)]
        if let console = options.console { env.append(("SCUTE_CONSOLE", console)) }
        if let bundle = options.installBundle { env.append(("SCUTE_INSTALL_BUNDLE", bundle)) }
        env.append(("SCUTE_DATA_FOLDER", options.dataFolder))
        env.append(("SCUTE_DEFENDER_TYPE", "embedded"))
        if options.startupMode == .security { env.append((StartupMode.variable, options.startupMode.rawValue)) }
        for (key, value) in env { block.append("ENV \(key)=\(quote(value, escape: file.escapeToken))") }
        if appUser != nil { block.append("USER root") }
        block.append("ENTRYPOINT " + json(newEntrypoint))
        if let redeclaredCmd { block.append("CMD " + json(redeclaredCmd)) }
        block.append(endMarker)

        if let dangling = file.danglingContinuationLine {
            lines[dangling - 1] = dropContinuation(lines[dangling - 1], escape: file.escapeToken)
            notes.append("line \(dangling) ended in a line continuation at the end of the file; the continuation was removed")
        }
        let isLast = targetIndex == stages.stages.count - 1
        let insertAt = isLast ? lines.count : file.instructions[stage.lastInstruction].endLine
        lines.insert(contentsOf: block, at: insertAt)
        return DockerfileEmbedResult(
            dockerfile: lines.joined(separator: newline) + newline,
            originalCommand: original,
            entrypoint: newEntrypoint,
            cmd: redeclaredCmd,
            command: newEntrypoint + (cmd ?? []),
            notes: notes
        )
    }

    /// Whether a USER value means root (user 0 or root, with any group).
    static func isRoot(_ user: String) -> Bool {
        let name = user.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return name.isEmpty || name == "root" || name == "0"
    }

    static func targetStage(_ stages: DockerfileStages, _ target: String?) throws(DockerfileError) -> Int {
        guard let target else { return stages.stages.count - 1 }
        guard let index = stages.stages.lastIndex(where: { $0.name == target.lowercased() }) else {
            let names = stages.stages.compactMap(\.name)
            throw DockerfileError(
                .unknownStage,
                line: nil,
                "target stage \"\(target)\" could not be found; the stages are: "
                    + (names.isEmpty ? "(none named)" : names.joined(separator: ", "))
            )
        }
        return index
    }

    static func removingPreviousEmbed(_ lines: [String]) -> [String] {
        var out: [String] = []
        var inside = false
        for line in lines {
            let trimmed = line.dockerfileTrimmed()
            if !inside && trimmed.hasPrefix("# >>> scute embed dockerfile") {
                inside = true
                continue
            }
            if inside {
                if trimmed.hasPrefix("# <<< scute embed dockerfile") { inside = false }
                continue
            }
            out.append(line)
        }
        return inside ? lines : out
    }

    static func validate(_ options: DockerfileEmbedOptions, escape: Character) throws(DockerfileError) {
        let folder = options.dataFolder
        guard folder.hasPrefix("/"), folder.count > 1,
            folder.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/._-".contains($0)) }),
            !folder.split(separator: "/").contains("..")
        else {
            throw DockerfileError(
                .invalidOption,
                line: nil,
                "--data-folder must be an absolute path of letters, digits, '/', '.', '_' and '-' (not /), got \(folder)"
            )
        }
        guard !options.appID.isEmpty else {
            throw DockerfileError(.invalidOption, line: nil, "--app-id must not be empty")
        }
        for (name, value) in [("--app-id", options.appID), ("--console", options.console), ("--install-bundle", options.installBundle)] {
            guard let value else { continue }
            if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                throw DockerfileError(.invalidOption, line: nil, "\(name) must not contain line breaks or control characters")
            }
        }
        let bundle = options.bundleFileName
        guard !bundle.isEmpty, bundle.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/._-".contains($0)) }) else {
            throw DockerfileError(.invalidOption, line: nil, "the bundle file name must be letters, digits, '/', '.', '_' and '-', got \(bundle)")
        }
    }

    /// A compact JSON array of strings, as an exec form.
    static func json(_ list: [String]) -> String {
        JSONValue.strings(list).serialized(.compact)
    }

    /// An ENV value that BuildKit's word processing reads back unchanged: single quotes keep everything
    /// literal; a value holding a single quote goes in double quotes with `"`, `$` and the escape token escaped.
    static func quote(_ value: String, escape: Character) -> String {
        if !value.contains("'") { return "'\(value)'" }
        var out = "\""
        for ch in value {
            if ch == "\"" || ch == "$" || ch == escape { out.append(escape) }
            out.append(ch)
        }
        return out + "\""
    }

    static func dropContinuation(_ line: String, escape: Character) -> String {
        var s = Substring(line)
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        if s.last == escape { s = s.dropLast() }
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
