import ScuteCore

/// What the task-definition embed needs to know besides the task definition itself.
public struct EmbedOptions: Sendable, Equatable {
    /// The console's channel address, e.g. `wss://console.example.com:8084`.
    public var consoleAddress: String?
    /// The base64 install bundle (console address, CA certificate, defender token), put into the sidecar's
    /// plain environment: anyone who can read the task definition can read it.
    public var installBundle: String?
    /// The ARN of an SSM parameter or Secrets Manager secret holding the install bundle: the sidecar gets it as
    /// an ECS `secrets` entry, read with the task execution role when the task starts. Excludes `installBundle`.
    public var installBundleSecret: String?
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
    /// Containers the sidecar's web application firewall stands in front of; empty keeps the embedded ones.
    public var waas: [WAASBinding]
    /// The effect of every WAAS category (`alert`, `prevent`, ...); nil keeps the embedded one, or alert.
    public var waasEffect: String?
    /// How the defenders start the app before the console answers; nil keeps the embedded mode, or availability.
    /// Security sets `SCUTE_STARTUP_MODE=security` in each protected container; availability sets nothing.
    public var startupMode: StartupMode?

    public init(
        consoleAddress: String? = nil,
        installBundle: String? = nil,
        installBundleSecret: String? = nil,
        sidecarImage: String? = nil,
        appID: String? = nil,
        excluded: Set<String> = [],
        assumeNoEntrypoint: Set<String> = [],
        imageConfigs: [String: ImageConfig] = [:],
        waas: [WAASBinding] = [],
        waasEffect: String? = nil,
        startupMode: StartupMode? = nil
    ) {
        self.consoleAddress = consoleAddress
        self.installBundle = installBundle
        self.installBundleSecret = installBundleSecret
        self.sidecarImage = sidecarImage
        self.appID = appID
        self.excluded = excluded
        self.assumeNoEntrypoint = assumeNoEntrypoint
        self.imageConfigs = imageConfigs
        self.waas = waas
        self.waasEffect = waasEffect
        self.startupMode = startupMode
    }
}

extension EmbedOptions {
    /// Why `arn` cannot name the install bundle's secret, or nil: an SSM parameter
    /// (`arn:aws:ssm:REGION:ACCOUNT:parameter/NAME`) or a Secrets Manager secret
    /// (`arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME`), in any AWS partition.
    public static func installBundleSecretProblem(_ arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws"), !parts[3].isEmpty, !parts[4].isEmpty,
            arn.utf8.count <= 2048, !arn.contains(where: { $0 == " " || $0 == "\"" })
        else {
            return "expected the ARN of an SSM parameter or a Secrets Manager secret"
        }
        switch parts[2] {
        case "ssm" where parts[5].hasPrefix("parameter/") && parts[5].count > 10: return nil
        case "secretsmanager" where parts[5].hasPrefix("secret:") && parts[5].count > 7: return nil
        default: return "expected arn:aws:ssm:REGION:ACCOUNT:parameter/NAME or arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME"
        }
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
