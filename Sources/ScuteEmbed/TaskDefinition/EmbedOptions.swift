import ScuteCore

/// What the task-definition embed needs to know besides the task definition itself.
public struct EmbedOptions: Sendable, Equatable {
    /// The console's channel address, e.g. `wss://console.example.com:8084`.
    public var consoleAddress: String?
    /// The base64 install bundle (console address, CA certificate, defender token).
    public var installBundle: String?
    /// The sidecar image; `nil` keeps the one already embedded, or the default.
    public var sidecarImage: String?
    /// The application ID the defenders report; `nil` keeps the embedded one, or the task family.
    public var appID: String?
    /// Containers left untouched (a FireLens log router, say).
    public var excluded: Set<String>
    /// Containers whose image has no ENTRYPOINT: the defender wraps `command` alone.
    public var assumeNoEntrypoint: Set<String>
    /// The image configuration (Entrypoint and Cmd) of containers whose entry point lives in the image.
    public var imageConfigs: [String: ImageConfig]

    public init(
        consoleAddress: String? = nil,
        installBundle: String? = nil,
        sidecarImage: String? = nil,
        appID: String? = nil,
        excluded: Set<String> = [],
        assumeNoEntrypoint: Set<String> = [],
        imageConfigs: [String: ImageConfig] = [:]
    ) {
        self.consoleAddress = consoleAddress
        self.installBundle = installBundle
        self.sidecarImage = sidecarImage
        self.appID = appID
        self.excluded = excluded
        self.assumeNoEntrypoint = assumeNoEntrypoint
        self.imageConfigs = imageConfigs
    }
}

/// Names and defaults shared by the embed, the sidecar and the defender.
public enum EmbedConstants {
    /// The name of the sidecar container the embed adds.
    public static let sidecarName = "ScuteDefender"
    /// The task volume that carries the defender bundle from the sidecar to the app containers.
    public static let volumeName = "scute-defender"
    /// Where the volume is mounted in every container.
    public static let dataFolder = "/scute"
    /// The entry point prefix that starts the original entry point under the defender.
    public static let entryPointPrefix = ["/scute/defender", "rasp", "--"]
    /// The sidecar image used when none is given.
    public static let defaultSidecarImage = "scutesec/sidecar:0.1.0"
    /// The sidecar's health check command: healthy once the bundle is in the volume and the sidecar is ready.
    public static let sidecarHealthCommand = ["CMD", "/usr/local/bin/scute", "sidecar", "health"]
    /// The environment variable in each protected container (and the sidecar) that records what the embed
    /// added, so that `--remove` restores the original exactly.
    public static let stateVariable = "SCUTE_EMBED_STATE"
    /// Keys that `describe-task-definition` returns but `register-task-definition` rejects.
    public static let readOnlyKeys: Set<String> = [
        "taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt",
        "registeredBy", "deregisteredAt", "deleteRequestedAt",
    ]
    /// The parameters RegisterTaskDefinition accepts.
    public static let registerParameters: Set<String> = [
        "family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions", "volumes",
        "placementConstraints", "requiresCompatibilities", "cpu", "memory", "tags", "pidMode", "ipcMode",
        "proxyConfiguration", "inferenceAccelerators", "ephemeralStorage", "runtimePlatform", "enableFaultInjection",
    ]
}
