/// The build stages of a Dockerfile and the process each one's image starts, worked out the way BuildKit
/// dispatches them: global ARGs expand FROM names, `FROM <stage>` inherits the stage's image config and runs
/// its ONBUILD triggers, ENTRYPOINT resets a CMD that the same stage has not set, shell forms take the SHELL
/// in effect.
public struct DockerfileStages: Sendable, Equatable {
    /// One stage.
    public struct Stage: Sendable, Equatable {
        /// The `AS` name, lower-cased.
        public var name: String?
        /// The line of its FROM.
        public var fromLine: Int
        /// The base after ARG expansion: an image, `scratch`, or an earlier stage's name.
        public var baseName: String
        /// The earlier stage it builds on.
        public var baseStage: Int?
        /// The image at the root of its chain of stages and the FROM line naming it; nil for scratch.
        public var rootImage: String?
        public var rootLine: Int
        /// The Entrypoint of its image.
        public var entrypoint: DockerImageValue
        /// The Cmd of its image.
        public var cmd: DockerImageValue
        /// The SHELL in effect at its end; nil for the default `/bin/sh -c`.
        public var shell: [String]?
        /// Whether the stage itself (not its base) ran a CMD, so an ENTRYPOINT keeps the CMD.
        public var cmdSet: Bool
        /// Whether the Entrypoint is a shell form resolved with the default shell although the root image
        /// (unseen) might set another SHELL.
        public var entrypointAssumesShell = false
        /// The same for the Cmd.
        public var cmdAssumesShell = false
        /// Whether the root image's config was given, so its SHELL is known too.
        public var rootShellKnown = false

        /// Whether what the image runs depends on the unseen root image's SHELL being the default.
        public var assumedDefaultShell: Bool { entrypointAssumesShell || cmdAssumesShell }
        /// Lines of the ENTRYPOINT and CMD that last set them, in this stage or an ancestor.
        public var entrypointLine: Int?
        public var cmdLine: Int?
        /// The index in `Dockerfile.instructions` of its last instruction.
        public var lastInstruction: Int
        /// Its ONBUILD triggers, which a stage built on it runs first.
        public var triggers: [DockerfileInstruction]
        /// The user the image runs as: the stage's last USER, else the base image's; nil when unknown.
        public var user: String? = nil
    }

    public var stages: [Stage]

    static let defaultShell = ["/bin/sh", "-c"]

    /// What is known of an external base image.
    public struct BaseImage: Sendable, Equatable {
        public var entrypoint: DockerImageValue
        public var cmd: DockerImageValue
        public var shell: [String]?
        /// Its ONBUILD triggers, parsed.
        public var onBuild: [DockerfileInstruction]
        /// Whether `shell` is the image's actual SHELL (its config was seen), nil meaning the default.
        public var shellKnown: Bool
        /// The image's USER (empty for root), when known.
        public var user: String? = nil

        public init(
            entrypoint: DockerImageValue,
            cmd: DockerImageValue,
            shell: [String]? = nil,
            onBuild: [DockerfileInstruction] = [],
            shellKnown: Bool = false
        ) {
            self.entrypoint = entrypoint
            self.cmd = cmd
            self.shell = shell
            self.onBuild = onBuild
            self.shellKnown = shellKnown
        }
    }

    /// Works out the stages. `baseImages` supplies what is known of the external image named by the FROM
    /// on a given line; `buildArgs` are `--build-arg` values.
    public static func analyze(
        _ file: Dockerfile,
        buildArgs: [String: String] = [:],
        baseImages: [Int: BaseImage] = [:],
        platform: String = "linux/amd64"
    ) throws(DockerfileError) -> DockerfileStages {
        // BuildKit's automatic platform ARGs are in the global scope without an ARG line
        // (`FROM base-${TARGETARCH}`); --build-arg may override them.
        var metaArgs = platformArgs(platform)
        for (key, value) in buildArgs where metaArgs[key] != nil { metaArgs[key] = value }
        var stages: [Stage] = []
        var byName: [String: Int] = [:]
        var allNames: [(name: String, line: Int)] = []
        for instruction in file.instructions where instruction.keyword == "FROM" {
            let args = instruction.arguments.split(whereSeparator: { $0.isWhitespace })
            if args.count == 3, args[1].lowercased() == "as" { allNames.append((args[2].lowercased(), instruction.startLine)) }
        }

        for (index, instruction) in file.instructions.enumerated() {
            let line = instruction.startLine
            if instruction.keyword == "FROM" {
                let args = instruction.arguments.split(whereSeparator: { $0.isWhitespace }).map(String.init)
                guard args.count == 1 || (args.count == 3 && args[1].lowercased() == "as") else {
                    throw DockerfileError(.invalidInstruction, line: line, "FROM requires either one or three arguments (FROM image [AS name])")
                }
                var name: String?
                if args.count == 3 {
                    let n = args[2].lowercased()
                    guard let first = n.first, first.isASCII, first.isLetter,
                        n.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
                    else {
                        throw DockerfileError(
                            .invalidInstruction,
                            line: line,
                            "invalid name for build stage: \"\(args[2])\", name can't start with a number or contain symbols"
                        )
                    }
                    name = n
                }
                let lexer = DockerfileShellWord(escape: file.escapeToken, environment: metaArgs)
                let base: String
                do {
                    base = try lexer.process(args[0])
                } catch {
                    throw DockerfileError(.invalidInstruction, line: line, "FROM \(args[0]): \(error.message)")
                }
                guard !base.isEmpty else {
                    throw DockerfileError(
                        .invalidInstruction,
                        line: line,
                        "base name (\(args[0])) should not be blank: give its ARG a default or pass --build-arg"
                    )
                }
                var stage: Stage
                if let baseIndex = byName[base] {
                    stage = stages[baseIndex]
                    stage.baseStage = baseIndex
                    stage.cmdSet = false
                    stage.triggers = []
                    // Triggers of the base stage run first, as if written at the top of this stage.
                    for trigger in stages[baseIndex].triggers {
                        try apply(trigger, to: &stage, line: trigger.startLine)
                    }
                } else {
                    if let later = allNames.first(where: { $0.name == base.lowercased() && $0.line > line }) {
                        throw DockerfileError(
                            .unknownStage,
                            line: line,
                            "FROM \(base) names the stage defined on line \(later.line), after this one; a stage can only "
                                + "build on stages above it (Docker would pull an image called \(base) instead)"
                        )
                    }
                    let scratch = base.lowercased() == "scratch"
                    let known = scratch ? nil : baseImages[line]
                    stage = Stage(
                        name: nil,
                        fromLine: line,
                        baseName: base,
                        baseStage: nil,
                        rootImage: scratch ? nil : base,
                        rootLine: line,
                        entrypoint: scratch ? .known(nil) : known?.entrypoint ?? .unknown,
                        cmd: scratch ? .known(nil) : known?.cmd ?? .unknown,
                        shell: known?.shell,
                        cmdSet: false,
                        entrypointLine: nil,
                        cmdLine: nil,
                        lastInstruction: index,
                        triggers: []
                    )
                    stage.rootShellKnown = known?.shellKnown ?? false
                    stage.user = scratch ? "" : known?.user
                    for trigger in known?.onBuild ?? [] {
                        try apply(trigger, to: &stage, line: line)
                    }
                    stage.triggers = []
                }
                stage.name = name
                stage.fromLine = line
                stage.baseName = base
                stage.lastInstruction = index
                stages.append(stage)
                if let name { byName[name] = stages.count - 1 }
                continue
            }
            guard !stages.isEmpty else {
                guard instruction.keyword == "ARG" else {
                    throw DockerfileError(
                        .noStage,
                        line: line,
                        "\(instruction.keyword) comes before the first FROM; only ARG may come before FROM"
                    )
                }
                let lexer = DockerfileShellWord(escape: file.escapeToken, environment: metaArgs)
                for word in DockerfileShellWord.words(instruction.arguments, escape: file.escapeToken) {
                    let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    let key = String(parts[0])
                    if let given = buildArgs[key] {
                        metaArgs[key] = given
                    } else if parts.count == 2 {
                        do {
                            metaArgs[key] = try lexer.process(String(parts[1]))
                        } catch {
                            throw DockerfileError(.invalidInstruction, line: line, "ARG \(key): \(error.message)")
                        }
                    }
                }
                continue
            }
            try apply(instruction, to: &stages[stages.count - 1], line: line)
            stages[stages.count - 1].lastInstruction = index
            if instruction.keyword == "COPY" || instruction.keyword == "ADD", let from = instruction.flag("from"),
                let n = Int(from), n < 0 || n >= countFROMs(file)
            {
                throw DockerfileError(
                    .unknownStage,
                    line: line,
                    "\(instruction.keyword) --from=\(from) names stage \(n), but the Dockerfile has \(countFROMs(file)) stages (counted from 0)"
                )
            }
        }
        guard !stages.isEmpty else {
            throw DockerfileError(
                .noStage,
                line: file.instructions.last?.startLine ?? 1,
                "the Dockerfile has no FROM, so no stage to build"
            )
        }
        return DockerfileStages(stages: stages)
    }

    /// TARGETPLATFORM, TARGETOS, TARGETARCH, TARGETVARIANT and their BUILD* twins for a platform such as
    /// linux/arm64/v8.
    static func platformArgs(_ platform: String) -> [String: String] {
        let parts = platform.split(separator: "/").map(String.init)
        let os = parts.first ?? "linux"
        let arch = parts.count > 1 ? parts[1] : "amd64"
        let variant = parts.count > 2 ? parts[2] : ""
        var args: [String: String] = [:]
        for prefix in ["TARGET", "BUILD"] {
            args[prefix + "PLATFORM"] = platform
            args[prefix + "OS"] = os
            args[prefix + "ARCH"] = arch
            args[prefix + "VARIANT"] = variant
        }
        return args
    }

    private static func countFROMs(_ file: Dockerfile) -> Int {
        file.instructions.filter { $0.keyword == "FROM" }.count
    }

    /// Applies one instruction to the image config of a stage, as BuildKit's dispatchers do.
    static func apply(_ instruction: DockerfileInstruction, to stage: inout Stage, line: Int) throws(DockerfileError) {
        switch instruction.keyword {
        case "SHELL":
            stage.shell = instruction.json
        case "ENTRYPOINT":
            if let json = instruction.json {
                stage.entrypoint = .known(json.isEmpty ? nil : json)
                stage.entrypointAssumesShell = false
            } else {
                stage.entrypoint = .known(withShell(stage, instruction.arguments))
                stage.entrypointAssumesShell = assumesShell(stage)
            }
            stage.entrypointLine = line
            if !stage.cmdSet {
                stage.cmd = .known(nil)
                stage.cmdAssumesShell = false
                stage.cmdLine = line
            }
        case "CMD":
            stage.cmd = .known(instruction.json ?? withShell(stage, instruction.arguments))
            stage.cmdAssumesShell = instruction.json == nil && assumesShell(stage)
            stage.cmdSet = true
            stage.cmdLine = line
        case "ONBUILD":
            if let trigger = instruction.trigger { stage.triggers.append(trigger) }
        case "USER":
            stage.user = instruction.arguments
        default:
            break
        }
    }

    private static func withShell(_ stage: Stage, _ command: String) -> [String] {
        (stage.shell ?? defaultShell) + [command]
    }

    private static func assumesShell(_ stage: Stage) -> Bool {
        stage.shell == nil && stage.rootImage != nil && !stage.rootShellKnown
    }
}
