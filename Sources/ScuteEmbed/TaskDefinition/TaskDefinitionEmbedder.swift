import ScuteCore

/// Embeds the defender into an ECS task definition, and takes it out again.
///
/// The embed adds a sidecar container that puts the defender bundle into a shared volume, and starts each
/// protected container's original entry point under `/scute/defender rasp --`. Everything it adds is
/// recorded in the `SCUTE_EMBED_STATE` variable, so that `remove` restores the original exactly and a
/// second embed gives the same output as the first.
public struct TaskDefinitionEmbedder: Sendable {
    /// The outcome of an embed or a removal.
    public struct Output: Sendable, Equatable {
        public var taskDefinition: JSONObject
        /// Things that are not errors but that Fargate or the user would want to know.
        public var warnings: [String]
    }

    public let keyStyle: KeyStyle
    /// What error messages call the document ("task definition", "resource TaskDef").
    public let subject: String

    public init(keyStyle: KeyStyle = .api, subject: String = "task definition") {
        self.keyStyle = keyStyle
        self.subject = subject
    }

    func k(_ apiName: String) -> String { keyStyle.key(apiName) }

    // MARK: Input

    /// Turns what the user has (RegisterTaskDefinition input, or `aws ecs describe-task-definition` output
    /// with its `taskDefinition` and `tags`) into RegisterTaskDefinition input: the read-only keys that the
    /// API rejects are dropped and the tags are kept.
    public static func registerInput(from document: JSONValue) throws(EmbedError) -> (JSONObject, [String]) {
        guard var object = document.objectValue else {
            throw EmbedError.invalidInput("expected a task definition JSON object, found \(document.typeName)")
        }
        var warnings: [String] = []
        if object["containerDefinitions"] == nil, let inner = object["taskDefinition"] {
            guard var td = inner.objectValue else {
                throw EmbedError.invalidInput("taskDefinition: expected an object, found \(inner.typeName)")
            }
            if let tags = object["tags"] {
                guard let list = tags.arrayValue else {
                    throw EmbedError.invalidInput("tags: expected an array, found \(tags.typeName)")
                }
                if !list.isEmpty { td["tags"] = tags }
            }
            for key in object.keys where key != "taskDefinition" && key != "tags" {
                warnings.append("ignored top-level key \"\(key)\" of the describe-task-definition output")
            }
            object = td
        }
        for key in object.keys where EmbedConstants.readOnlyKeys.contains(key) {
            object.removeValue(forKey: key)
        }
        for key in object.keys where !EmbedConstants.registerParameters.contains(key) {
            warnings.append("\"\(key)\" is not a RegisterTaskDefinition parameter: the ECS API will reject it")
        }
        return (object, warnings)
    }

    // MARK: Embed

    /// Protects every container of the task definition that is not excluded.
    public func embed(_ input: JSONObject, options requested: EmbedOptions) throws(EmbedError) -> Output {
        var warnings: [String] = []
        var previous = try sidecarSettings(in: input)
        var options = requested
        // Containers left out by the previous embed stay out (remove the embedding to protect them).
        options.excluded.formUnion(previous?.excluded ?? [])
        var td = input
        var priorFills: [String: Fill] = [:]
        var priorStartupMode: StartupMode?
        if previous != nil {
            let containers = try containerList(td)
            priorStartupMode = embeddedStartupMode(containers)
            for c in containers {
                if let name = c[k("name")]?.stringValue, let fill = try priorFill(of: c, name: name) {
                    priorFills[name] = fill
                }
            }
            td = try removeEmbedding(td, warnings: &warnings)
        }
        var containers = try validatedContainers(td)
        let names = containers.compactMap { $0[k("name")]?.stringValue }
        if names.contains(EmbedConstants.sidecarName) {
            throw EmbedError.invalidInput(
                "\(subject) already has a container named \"\(EmbedConstants.sidecarName)\" that the embed did not add"
            )
        }
        try checkOptionNames(options, names: names)
        if options.installBundle != nil, options.installBundleSecret != nil {
            throw EmbedError.invalidInput("give the install bundle or the ARN of the secret holding it, not both")
        }
        if let arn = options.installBundleSecret, let problem = EmbedOptions.installBundleSecretProblem(arn) {
            throw EmbedError.invalidInput("install bundle secret \(arn): \(problem)")
        }
        // A new bundle in one form replaces the previous one in the other.
        if options.installBundle != nil {
            previous?.installBundleSecret = nil
        } else if options.installBundleSecret != nil {
            previous?.installBundle = nil
        }
        if let arn = options.installBundleSecret ?? previous?.installBundleSecret, td[k("executionRoleArn")] == nil {
            warnings.append(
                "ECS reads the install bundle secret \(arn) with the task execution role: add \(k("executionRoleArn")) with "
                    + "ssm:GetParameters or secretsmanager:GetSecretValue on it"
            )
        }

        let appID: JSONValue
        if let id = options.appID ?? previous?.appID {
            appID = .string(id)
        } else if let family = td[k("family")] {
            appID = family
        } else {
            throw EmbedError.invalidInput("\(subject) has no \(k("family")): give --app-id")
        }
        let family = td[k("family")] ?? appID

        let waas = options.waas.isEmpty ? previous?.waas ?? [] : options.waas
        try checkWAAS(waas, effect: options.waasEffect, td: td, containers: containers, excluded: options.excluded, warnings: &warnings)

        let startupMode = options.startupMode ?? priorStartupMode ?? .availability
        var protectedCount = 0
        var firstLogConfiguration: JSONValue?
        for i in containers.indices {
            guard let name = containers[i][k("name")]?.stringValue, !options.excluded.contains(name) else { continue }
            let fill = try fillFor(name: name, options: options, prior: priorFills[name])
            containers[i] = try protect(containers[i], name: name, appID: appID, fill: fill, startupMode: startupMode, warnings: &warnings)
            protectedCount += 1
            if firstLogConfiguration == nil, let log = containers[i][k("logConfiguration")],
                log.objectValue?[k("logDriver")]?.stringValue == "awslogs"
            {
                firstLogConfiguration = log
            }
        }
        if protectedCount == 0 {
            warnings.append("every container is excluded: nothing in the task is protected")
        }

        var sidecarState: [String] = options.excluded.sorted().map { "exclude=\($0)" }
        var volumes = td[k("volumes")]?.arrayValue ?? []
        if td[k("volumes")] == nil { sidecarState.append("volumes") }
        if td[k("volumes")] != nil && td[k("volumes")]?.arrayValue == nil {
            throw EmbedError.invalidInput("\(k("volumes")): expected an array")
        }
        if volumes.contains(where: { $0.objectValue?[k("name")]?.stringValue == EmbedConstants.volumeName }) {
            throw EmbedError.invalidInput("\(k("volumes")) already has a volume named \"\(EmbedConstants.volumeName)\"")
        }
        volumes.append(.object(JSONObject([k("name"): .string(EmbedConstants.volumeName)])))

        let sidecar = makeSidecar(
            td: td,
            containers: containers,
            options: options,
            previous: previous,
            appID: appID,
            family: family,
            logConfiguration: firstLogConfiguration,
            state: sidecarState,
            warnings: &warnings
        )
        containers.append(sidecar)
        td[k("containerDefinitions")] = .array(containers.map { .object($0) })
        td[k("volumes")] = .array(volumes)

        warnings.append(contentsOf: fargateWarnings(td))
        if (options.consoleAddress ?? previous?.console) == nil {
            warnings.append("no --console given: the defenders will run on the policy they have, and report to no console")
        }
        return Output(taskDefinition: td, warnings: warnings)
    }

    /// Takes the embedding out, restoring the task definition as it was before.
    public func remove(_ input: JSONObject) throws(EmbedError) -> Output {
        var warnings: [String] = []
        let td = try removeEmbedding(input, warnings: &warnings)
        if try sidecarSettings(in: input) == nil {
            warnings.append("the \(subject) is not protected: nothing to remove")
        }
        return Output(taskDefinition: td, warnings: warnings)
    }

    // MARK: Validation

    private func containerList(_ td: JSONObject) throws(EmbedError) -> [JSONObject] {
        let key = k("containerDefinitions")
        guard let value = td[key] else { throw EmbedError.invalidInput("\(subject) has no \(key)") }
        guard let array = value.arrayValue else {
            throw EmbedError.invalidInput("\(key): expected an array of container definitions, found \(value.typeName)")
        }
        var out: [JSONObject] = []
        for (i, element) in array.enumerated() {
            guard let object = element.objectValue else {
                throw EmbedError.invalidInput("\(key)[\(i)]: expected an object, found \(element.typeName)")
            }
            out.append(object)
        }
        return out
    }

    private func validatedContainers(_ td: JSONObject) throws(EmbedError) -> [JSONObject] {
        let key = k("containerDefinitions")
        let containers = try containerList(td)
        if containers.isEmpty { throw EmbedError.invalidInput("\(key) is empty: the task has no container") }
        var seen: Set<String> = []
        var names: [String] = []
        for (i, c) in containers.enumerated() {
            guard let nameValue = c[k("name")] else { throw EmbedError.invalidInput("\(key)[\(i)] has no \(k("name"))") }
            guard let name = nameValue.stringValue, !name.isEmpty else {
                throw EmbedError.invalidInput("\(key)[\(i)].\(k("name")): expected a non-empty string")
            }
            if !seen.insert(name).inserted {
                throw EmbedError.invalidInput("duplicate container name \"\(name)\" in \(key)")
            }
            names.append(name)
        }
        for c in containers {
            let name = c[k("name")]?.stringValue ?? ""
            guard let deps = c[k("dependsOn")] else { continue }
            guard let list = deps.arrayValue else {
                throw EmbedError.invalidInput("container \"\(name)\": \(k("dependsOn")) must be an array")
            }
            for (j, d) in list.enumerated() {
                guard let dep = d.objectValue, let target = dep[k("containerName")]?.stringValue else {
                    throw EmbedError.invalidInput(
                        "container \"\(name)\": \(k("dependsOn"))[\(j)] needs a \(k("containerName")) string"
                    )
                }
                if !seen.contains(target) {
                    throw EmbedError.invalidInput(
                        "container \"\(name)\" depends on \"\(target)\", which is not a container of this task"
                    )
                }
            }
        }
        return containers
    }

    private func checkOptionNames(_ options: EmbedOptions, names: [String]) throws(EmbedError) {
        let known = Set(names)
        for (option, set) in [("--exclude", options.excluded), ("--assume-no-entrypoint", options.assumeNoEntrypoint)] {
            for name in set.sorted() where !known.contains(name) {
                throw EmbedError.unknownContainer(option: option, name: name, known: names)
            }
        }
        for name in options.imageConfigs.keys.sorted() where !known.contains(name) {
            throw EmbedError.unknownContainer(option: "--image-config", name: name, known: names)
        }
    }

    // MARK: Protecting one container

    /// How a container without an entry point in the task gets one.
    enum Fill: Equatable {
        /// The image's configuration, merged as Docker would.
        case image(ImageConfig)
        /// The image has no ENTRYPOINT: wrap the command alone.
        case noEntrypoint
    }

    private func fillFor(name: String, options: EmbedOptions, prior: Fill?) throws(EmbedError) -> Fill? {
        if let config = options.imageConfigs[name] { return .image(config) }
        if options.assumeNoEntrypoint.contains(name) { return .noEntrypoint }
        return prior
    }

    /// The fill a previous embed used, recovered from what it wrote, so that embedding again needs no
    /// repeated --image-config.
    private func priorFill(of container: JSONObject, name: String) throws(EmbedError) -> Fill? {
        guard let tokens = embedState(of: container), tokens.contains("entryPoint") else { return nil }
        let ep = container[k("entryPoint")]?.stringArrayValue ?? []
        let original = Array(ep.dropFirst(EmbedConstants.entryPointPrefix.count))
        if original.isEmpty && !tokens.contains("command") { return .noEntrypoint }
        let cmd = tokens.contains("command") ? container[k("command")]?.stringArrayValue : nil
        return .image(ImageConfig(entrypoint: original, cmd: cmd))
    }

    private func protect(
        _ input: JSONObject,
        name: String,
        appID: JSONValue,
        fill: Fill?,
        startupMode: StartupMode,
        warnings: inout [String]
    ) throws(EmbedError) -> JSONObject {
        var c = input
        var state: [String] = []
        let prefix = EmbedConstants.entryPointPrefix.map { JSONValue.string($0) }
        let epKey = k("entryPoint")
        let cmdKey = k("command")

        if let cmd = c[cmdKey], cmd.arrayValue == nil {
            throw EmbedError.invalidInput("container \"\(name)\": \(cmdKey) must be an array, found \(cmd.typeName)")
        }
        let hasCommand = !(c[cmdKey]?.arrayValue?.isEmpty ?? true)
        if let ep = c[epKey], !(ep.arrayValue?.isEmpty ?? false) {
            guard let list = ep.arrayValue else {
                throw EmbedError.invalidInput(
                    "container \"\(name)\": \(epKey) must be a literal array, found \(ep.typeName)"
                )
            }
            if keyStyle == .api && ep.stringArrayValue == nil {
                throw EmbedError.invalidInput("container \"\(name)\": \(epKey) must be an array of strings")
            }
            if list.first?.stringValue == EmbedConstants.entryPointPrefix[0] {
                throw EmbedError.invalidInput(
                    "container \"\(name)\" already starts under the defender, but the task has no \(EmbedConstants.sidecarName) sidecar: restore its original \(epKey) first"
                )
            }
            c[epKey] = .array(prefix + list)
        } else if c[epKey] != nil && hasCommand {
            // An explicitly empty entry point: Docker runs the command alone.
            c[epKey] = .array(prefix)
        } else {
            guard let fill else {
                if c[epKey] != nil {
                    throw EmbedError.invalidInput("container \"\(name)\": \(epKey) and \(cmdKey) are both empty")
                }
                throw EmbedError.missingEntryPoint(container: name, keyStyle: keyStyle)
            }
            switch fill {
            case .noEntrypoint:
                guard hasCommand else {
                    throw EmbedError.invalidInput(
                        "container \"\(name)\": the image has no ENTRYPOINT (--assume-no-entrypoint) and the task gives no \(cmdKey): nothing to run"
                    )
                }
                if c[epKey] == nil { state.append("entryPoint") }
                c[epKey] = .array(prefix)
            case .image(let config):
                // Docker: a task entryPoint would replace the image's and drop its Cmd; here the task has
                // none, so the image's Entrypoint applies and the task's command replaces the image's Cmd.
                let entrypoint = config.entrypoint ?? []
                if !hasCommand, let cmd = config.cmd, !cmd.isEmpty {
                    if c[cmdKey] == nil { state.append("command") }
                    c[cmdKey] = .strings(cmd)
                }
                let willHaveCommand = !(c[cmdKey]?.arrayValue?.isEmpty ?? true)
                guard !entrypoint.isEmpty || willHaveCommand else {
                    throw EmbedError.invalidInput(
                        "container \"\(name)\": neither the task nor the image configuration says what to run (no Entrypoint, no Cmd, no \(cmdKey))"
                    )
                }
                if c[epKey] == nil { state.append("entryPoint") }
                c[epKey] = .array(prefix + entrypoint.map { JSONValue.string($0) })
            }
        }

        // linuxParameters.capabilities.add gains SYS_PTRACE exactly once.
        let lpKey = k("linuxParameters")
        var lp: JSONObject
        if let existing = c[lpKey] {
            guard let o = existing.objectValue else {
                throw EmbedError.invalidInput("container \"\(name)\": \(lpKey) must be an object")
            }
            lp = o
        } else {
            lp = JSONObject()
            state.append("linuxParameters")
        }
        var caps: JSONObject
        if let existing = lp[k("capabilities")] {
            guard let o = existing.objectValue else {
                throw EmbedError.invalidInput("container \"\(name)\": \(lpKey).\(k("capabilities")) must be an object")
            }
            caps = o
        } else {
            caps = JSONObject()
            if !state.contains("linuxParameters") { state.append("capabilities") }
        }
        var add: [JSONValue]
        if let existing = caps[k("add")] {
            guard let list = existing.arrayValue else {
                throw EmbedError.invalidInput(
                    "container \"\(name)\": \(lpKey).\(k("capabilities")).\(k("add")) must be an array"
                )
            }
            add = list
        } else {
            add = []
            if !state.contains("linuxParameters") && !state.contains("capabilities") { state.append("add") }
        }
        let hasPtrace = add.contains { $0.stringValue == "SYS_PTRACE" || $0.stringValue == "CAP_SYS_PTRACE" }
        if !hasPtrace {
            add.append("SYS_PTRACE")
            state.append("SYS_PTRACE")
        }
        caps[k("add")] = .array(add)
        lp[k("capabilities")] = .object(caps)
        c[lpKey] = .object(lp)

        // dependsOn: the app starts once the sidecar reports healthy, i.e. the defender is in the volume.
        let depKey = k("dependsOn")
        var deps = c[depKey]?.arrayValue ?? []
        if c[depKey] == nil { state.append("dependsOn") }
        deps.append(
            .object(
                JSONObject([
                    k("containerName"): .string(EmbedConstants.sidecarName),
                    k("condition"): "HEALTHY",
                ])
            )
        )
        c[depKey] = .array(deps)

        // The shared volume, read-only: the app cannot alter the defender.
        let mpKey = k("mountPoints")
        if let existing = c[mpKey], existing.arrayValue == nil {
            throw EmbedError.invalidInput("container \"\(name)\": \(mpKey) must be an array")
        }
        var mounts = c[mpKey]?.arrayValue ?? []
        if mounts.contains(where: { $0.objectValue?[k("containerPath")]?.stringValue == EmbedConstants.dataFolder }) {
            throw EmbedError.invalidInput(
                "container \"\(name)\" already mounts a volume at \(EmbedConstants.dataFolder), where the defender must go"
            )
        }
        if c[mpKey] == nil { state.append("mountPoints") }
        mounts.append(
            .object(
                JSONObject([
                    k("sourceVolume"): .string(EmbedConstants.volumeName),
                    k("containerPath"): .string(EmbedConstants.dataFolder),
                    k("readOnly"): true,
                ])
            )
        )
        c[mpKey] = .array(mounts)

        // Environment: the defender's identity, without touching the app's own variables.
        let envKey = k("environment")
        if let existing = c[envKey], existing.arrayValue == nil {
            throw EmbedError.invalidInput("container \"\(name)\": \(envKey) must be an array")
        }
        var env = c[envKey]?.arrayValue ?? []
        if c[envKey] == nil { state.append("environment") }
        let defined = Set(env.compactMap { $0.objectValue?[k("name")]?.stringValue })
        let image = c[k("image")] ?? ""
        let additions: [(String, JSONValue)] =
            [
                ("SCUTE_APP_ID", appID),
                ("SCUTE_CONTAINER_NAME", .string(name)),
                ("SCUTE_IMAGE_NAME", image),
                ("SCUTE_DEFENDER_TYPE", "fargate"),
            ] + startupModeVariables(startupMode, container: c, name: name, warnings: &warnings)
        for (variable, value) in additions where !defined.contains(variable) {
            env.append(envEntry(variable, value))
            state.append("env=\(variable)")
        }
        env.append(envEntry(EmbedConstants.stateVariable, .string(Self.encodeState(state))))
        c[envKey] = .array(env)

        if let adds = c[lpKey]?.objectValue?[k("capabilities")]?.objectValue?[k("add")]?.arrayValue {
            let others = adds.compactMap(\.stringValue).filter { $0 != "SYS_PTRACE" && $0 != "CAP_SYS_PTRACE" }
            if !others.isEmpty {
                warnings.append(
                    "container \"\(name)\" adds capabilities \(others.joined(separator: ", ")): Fargate only allows SYS_PTRACE"
                )
            }
        }
        return c
    }

    private func envEntry(_ name: String, _ value: JSONValue) -> JSONValue {
        .object(JSONObject([k("name"): .string(name), k("value"): value]))
    }

    // MARK: The sidecar

    struct SidecarSettings {
        var console: String?
        var installBundle: String?
        var installBundleSecret: String?
        var appID: String?
        var image: String?
        var excluded: Set<String> = []
        var waas: [WAASBinding] = []
        var waasEffect: String?
    }

    /// The settings of an existing sidecar, or nil when the task is not protected.
    private func sidecarSettings(in td: JSONObject) throws(EmbedError) -> SidecarSettings? {
        guard let list = td[k("containerDefinitions")]?.arrayValue else { return nil }
        guard
            let sidecar = list.compactMap(\.objectValue).first(where: {
                $0[k("name")]?.stringValue == EmbedConstants.sidecarName
            })
        else { return nil }
        var settings = SidecarSettings()
        settings.image = sidecar[k("image")]?.stringValue
        for token in embedState(of: sidecar) ?? [] where token.hasPrefix("exclude=") {
            settings.excluded.insert(String(token.dropFirst(8)))
        }
        for entry in sidecar[k("environment")]?.arrayValue ?? [] {
            guard let o = entry.objectValue, let n = o[k("name")]?.stringValue else { continue }
            let v = o[k("value")]?.stringValue
            switch n {
            case "SCUTE_CONSOLE": settings.console = v
            case "SCUTE_INSTALL_BUNDLE": settings.installBundle = v
            case "SCUTE_APP_ID": settings.appID = v
            case "SCUTE_WAAS": settings.waas = (try? WAASBinding.parseList(v ?? "")) ?? []
            case "SCUTE_WAAS_EFFECT": settings.waasEffect = v
            default: break
            }
        }
        for entry in sidecar[k("secrets")]?.arrayValue ?? [] {
            guard let o = entry.objectValue, o[k("name")]?.stringValue == "SCUTE_INSTALL_BUNDLE" else { continue }
            settings.installBundleSecret = o[k("valueFrom")]?.stringValue
        }
        return settings
    }

    private func makeSidecar(
        td: JSONObject,
        containers: [JSONObject],
        options: EmbedOptions,
        previous: SidecarSettings?,
        appID: JSONValue,
        family: JSONValue,
        logConfiguration: JSONValue?,
        state: [String],
        warnings: inout [String]
    ) -> JSONObject {
        var s = JSONObject()
        s[k("name")] = .string(EmbedConstants.sidecarName)
        s[k("image")] = .string(options.sidecarImage ?? previous?.image ?? EmbedConstants.defaultSidecarImage)
        s[k("essential")] = true

        let objects = containers
        if let cpuText = literalText(td[k("cpu")]), let taskCPU = FargateSizing.parseCPU(cpuText) {
            let used = objects.reduce(0) { $0 + (literalInt($1[k("cpu")]) ?? 0) }
            if objects.contains(where: { $0[k("cpu")] != nil && literalInt($0[k("cpu")]) == nil }) {
                warnings.append("a container's \(k("cpu")) is not a literal number: check that the sidecar's share still fits the task")
            }
            if let share = FargateSizing.sidecarCPU(taskCPU: taskCPU, usedByContainers: used) {
                s[k("cpu")] = .int(share)
            } else {
                warnings.append("the containers use all of the task's CPU: the sidecar gets no CPU reservation")
            }
        }
        let taskMemory = literalText(td[k("memory")]).flatMap(FargateSizing.parseMemory)
        let reserved = objects.reduce(0) {
            $0 + (literalInt($1[k("memoryReservation")]) ?? literalInt($1[k("memory")]) ?? 0)
        }
        if let mem = FargateSizing.sidecarMemoryReservation(taskMemory: taskMemory, reservedByContainers: reserved) {
            s[k("memoryReservation")] = .int(mem)
        } else {
            warnings.append("the containers reserve all of the task's memory: the sidecar gets no memory reservation")
        }

        var env: [JSONValue] = []
        if let console = options.consoleAddress ?? previous?.console {
            env.append(envEntry("SCUTE_CONSOLE", .string(console)))
        }
        let secret = options.installBundleSecret ?? previous?.installBundleSecret
        if secret == nil, let bundle = options.installBundle ?? previous?.installBundle {
            env.append(envEntry("SCUTE_INSTALL_BUNDLE", .string(bundle)))
        }
        env.append(envEntry("SCUTE_APP_ID", appID))
        env.append(envEntry("SCUTE_TASK_FAMILY", family))
        env.append(envEntry("SCUTE_DEFENDER_TYPE", "fargate"))
        env.append(envEntry("SCUTE_DATA_FOLDER", .string(EmbedConstants.dataFolder)))
        let waas = options.waas.isEmpty ? previous?.waas ?? [] : options.waas
        if !waas.isEmpty {
            env.append(envEntry("SCUTE_WAAS", .string(WAASBinding.listText(waas))))
            if let effect = options.waasEffect ?? previous?.waasEffect {
                env.append(envEntry("SCUTE_WAAS_EFFECT", .string(effect)))
            }
        }
        env.append(envEntry(EmbedConstants.stateVariable, .string(Self.encodeState(state))))
        s[k("environment")] = .array(env)
        if let secret {
            // Read by ECS with the task execution role when the task starts; never in the task definition.
            s[k("secrets")] = .array([.object(JSONObject([k("name"): "SCUTE_INSTALL_BUNDLE", k("valueFrom"): .string(secret)]))])
        }
        s[k("mountPoints")] = .array([
            .object(
                JSONObject([
                    k("sourceVolume"): .string(EmbedConstants.volumeName),
                    k("containerPath"): .string(EmbedConstants.dataFolder),
                    k("readOnly"): false,
                ])
            )
        ])
        s[k("healthCheck")] = .object(
            JSONObject([
                k("command"): .strings(EmbedConstants.sidecarHealthCommand),
                k("interval"): 5,
                k("timeout"): 3,
                k("retries"): 3,
                k("startPeriod"): 5,
            ])
        )
        if let logConfiguration { s[k("logConfiguration")] = logConfiguration }
        return s
    }

    // MARK: Removal

    func embedState(of container: JSONObject) -> [String]? {
        for entry in container[k("environment")]?.arrayValue ?? [] {
            guard let o = entry.objectValue, o[k("name")]?.stringValue == EmbedConstants.stateVariable else { continue }
            return Self.decodeState(o[k("value")]?.stringValue ?? "")
        }
        return nil
    }

    static func encodeState(_ tokens: [String]) -> String { "v1:" + tokens.joined(separator: ",") }

    static func decodeState(_ text: String) -> [String] {
        guard text.hasPrefix("v1:") else { return [] }
        return text.dropFirst(3).split(separator: ",").map(String.init)
    }

    private func removeEmbedding(_ input: JSONObject, warnings: inout [String]) throws(EmbedError) -> JSONObject {
        var td = input
        let containers = try containerList(td)
        var kept: [JSONValue] = []
        var sidecarState: [String] = []
        for c in containers {
            let name = c[k("name")]?.stringValue ?? ""
            if name == EmbedConstants.sidecarName {
                sidecarState = embedState(of: c) ?? []
                continue
            }
            kept.append(.object(try unprotect(c, name: name, warnings: &warnings)))
        }
        td[k("containerDefinitions")] = .array(kept)
        if sidecarState.contains("volumes") {
            td.removeValue(forKey: k("volumes"))
        } else if let volumes = td[k("volumes")]?.arrayValue {
            td[k("volumes")] = .array(
                volumes.filter { $0.objectValue?[k("name")]?.stringValue != EmbedConstants.volumeName }
            )
        }
        return td
    }

    private func unprotect(_ input: JSONObject, name: String, warnings: inout [String]) throws(EmbedError) -> JSONObject {
        guard let state = embedState(of: input) else {
            if input[k("entryPoint")]?.stringArrayValue?.first == EmbedConstants.entryPointPrefix[0] {
                warnings.append("container \"\(name)\" starts under the defender but carries no embed record: left as it is")
            }
            return input
        }
        var c = input
        let epKey = k("entryPoint")
        if state.contains("entryPoint") {
            c.removeValue(forKey: epKey)
        } else if let ep = c[epKey]?.arrayValue {
            let prefix = EmbedConstants.entryPointPrefix
            if ep.prefix(prefix.count).map(\.stringValue) == prefix.map(Optional.some) {
                c[epKey] = .array(Array(ep.dropFirst(prefix.count)))
            }
        }
        if state.contains("command") { c.removeValue(forKey: k("command")) }

        let lpKey = k("linuxParameters")
        if state.contains("linuxParameters") {
            c.removeValue(forKey: lpKey)
        } else if var lp = c[lpKey]?.objectValue {
            if state.contains("capabilities") {
                lp.removeValue(forKey: k("capabilities"))
            } else if var caps = lp[k("capabilities")]?.objectValue {
                if state.contains("add") {
                    caps.removeValue(forKey: k("add"))
                } else if state.contains("SYS_PTRACE"), var add = caps[k("add")]?.arrayValue,
                    let i = add.lastIndex(of: "SYS_PTRACE")
                {
                    add.remove(at: i)
                    caps[k("add")] = .array(add)
                }
                lp[k("capabilities")] = .object(caps)
            }
            c[lpKey] = .object(lp)
        }

        let depKey = k("dependsOn")
        if state.contains("dependsOn") {
            c.removeValue(forKey: depKey)
        } else if let deps = c[depKey]?.arrayValue {
            c[depKey] = .array(
                deps.filter { $0.objectValue?[k("containerName")]?.stringValue != EmbedConstants.sidecarName }
            )
        }

        let mpKey = k("mountPoints")
        if state.contains("mountPoints") {
            c.removeValue(forKey: mpKey)
        } else if let mounts = c[mpKey]?.arrayValue {
            c[mpKey] = .array(
                mounts.filter { $0.objectValue?[k("sourceVolume")]?.stringValue != EmbedConstants.volumeName }
            )
        }

        let envKey = k("environment")
        if state.contains("environment") {
            c.removeValue(forKey: envKey)
        } else if let env = c[envKey]?.arrayValue {
            var ours: Set<String> = [EmbedConstants.stateVariable]
            for token in state where token.hasPrefix("env=") { ours.insert(String(token.dropFirst(4))) }
            c[envKey] = .array(env.filter { !ours.contains($0.objectValue?[k("name")]?.stringValue ?? "") })
        }
        return c
    }

    // MARK: Fargate checks

    private func literalText(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let s): return s
        case .number(let n): return n
        default: return nil
        }
    }

    private func literalInt(_ value: JSONValue?) -> Int? {
        literalText(value).flatMap { Int($0.trimmingSpaces()) }
    }

    private func fargateWarnings(_ td: JSONObject) -> [String] {
        var warnings: [String] = []
        let compat = td[k("requiresCompatibilities")]?.stringArrayValue ?? []
        guard compat.contains("FARGATE") else {
            if td[k("requiresCompatibilities")]?.arrayValue != nil || td[k("requiresCompatibilities")] == nil {
                warnings.append("\(k("requiresCompatibilities")) does not list FARGATE: the Fargate checks were skipped")
            }
            return warnings
        }
        switch td[k("networkMode")] {
        case .string("awsvpc"): break
        case .string(let mode): warnings.append("\(k("networkMode")) is \"\(mode)\": Fargate requires awsvpc")
        case nil: warnings.append("\(k("networkMode")) is not set: Fargate requires awsvpc")
        default: break
        }
        let cpuValue = td[k("cpu")]
        let memoryValue = td[k("memory")]
        if cpuValue == nil || memoryValue == nil {
            warnings.append("Fargate requires task-level \(k("cpu")) and \(k("memory"))")
            return warnings
        }
        guard let cpuText = literalText(cpuValue), let memoryText = literalText(memoryValue) else { return warnings }
        guard let cpu = FargateSizing.parseCPU(cpuText), let valid = FargateSizing.validMemory(forCPU: cpu) else {
            warnings.append("task \(k("cpu")) \"\(cpuText)\" is not a Fargate size (256, 512, 1024, 2048, 4096, 8192, 16384)")
            return warnings
        }
        guard let memory = FargateSizing.parseMemory(memoryText), valid.contains(memory) else {
            warnings.append(
                "task \(k("cpu")) \(cpuText) with \(k("memory")) \(memoryText) is a combination Fargate rejects (with \(cpu) CPU units: \(valid.first!)-\(valid.last!) MiB)"
            )
            return warnings
        }
        return warnings
    }
}
