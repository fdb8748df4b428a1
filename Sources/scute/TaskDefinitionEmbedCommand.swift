import ArgumentParser
import ScuteCore
import ScuteEmbed

/// Options shared by the task-definition and CloudFormation embeds.
struct TaskEmbedOptions: ParsableArguments {
    @Option(name: .customLong("console"), help: "The console's defender channel address, e.g. wss://console.example.com:8084.")
    var consoleAddress: String?

    @Option(name: .customLong("install-bundle"), help: "The install bundle (base64) from the console.")
    var installBundle: String?

    @Option(name: .customLong("install-bundle-file"), help: "A file holding the install bundle.")
    var installBundleFile: String?

    @Option(
        name: .customLong("install-bundle-secret"),
        help: """
            The ARN of an SSM parameter or Secrets Manager secret holding the install bundle: the sidecar gets it as an ECS             secret (read with the task execution role) instead of plain environment.
            """
    )
    var installBundleSecret: String?

    @Option(name: .customLong("sidecar-image"), help: "The sidecar image (default: \(EmbedConstants.defaultSidecarImage)).")
    var sidecarImage: String?

    @Option(name: .customLong("app-id"), help: "The application ID the defenders report (default: the task family).")
    var appID: String?

    @Option(name: .customLong("exclude"), help: "Leave this container untouched (repeatable).")
    var exclude: [String] = []

    @Option(
        name: .customLong("assume-no-entrypoint"),
        help: "This container's image has no ENTRYPOINT: wrap its command alone (repeatable)."
    )
    var assumeNoEntrypoint: [String] = []

    @Option(
        name: .customLong("image-config"),
        help: "NAME=FILE: `docker image inspect` or OCI config JSON giving the image's Entrypoint and Cmd (repeatable)."
    )
    var imageConfig: [String] = []

    @Option(
        name: .customLong("waas"),
        help:
            "CONTAINER=EXTERNAL:APP: the sidecar's web application firewall listens on EXTERNAL and forwards to the app, moved to 127.0.0.1:APP (repeatable)."
    )
    var waas: [String] = []

    @Option(name: .customLong("waas-effect"), help: "The firewall's effect on every category: disable, alert, prevent or ban (default alert).")
    var waasEffect: String?

    @Option(
        name: .customLong("startup-mode"),
        help: """
            availability: apps start at once on the cached or default policy; security: only once the defender has the \
            console's policy (default: the embedded mode, else availability).
            """
    )
    var startupMode: String?

    func embedOptions() throws -> EmbedOptions {
        var bundle = installBundle
        if let installBundleFile {
            guard bundle == nil else { throw CLIError("give --install-bundle or --install-bundle-file, not both") }
            bundle = try FileIO.readText(installBundleFile).trimmingWhitespace()
        }
        var configs: [String: ImageConfig] = [:]
        for spec in imageConfig {
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex, spec.index(after: eq) != spec.endIndex else {
                throw CLIError("--image-config \"\(spec)\": expected NAME=FILE")
            }
            let name = String(spec[..<eq])
            let path = String(spec[spec.index(after: eq)...])
            do {
                configs[name] = try ImageConfig.parse(try FileIO.readText(path))
            } catch let error as EmbedError {
                throw CLIError("--image-config \(name)=\(path): \(error.message)")
            }
        }
        if bundle != nil, installBundleSecret != nil {
            throw CLIError("give --install-bundle (plain environment) or --install-bundle-secret (an ECS secret), not both")
        }
        if bundle != nil {
            FileIO.warn(
                "the install bundle goes into the sidecar's plain environment, readable by anyone who can describe the task "
                    + "definition: prefer --install-bundle-secret ARN (an SSM parameter or Secrets Manager secret)"
            )
        }
        var mode: StartupMode?
        if let startupMode {
            do {
                mode = try StartupMode(parsing: startupMode, source: "--startup-mode")
            } catch {
                throw CLIError(error.description)
            }
        }
        var bindings: [WAASBinding] = []
        for spec in waas {
            do {
                bindings.append(try WAASBinding.parse(spec))
            } catch {
                throw CLIError(error.message)
            }
        }
        return EmbedOptions(
            consoleAddress: consoleAddress,
            installBundle: bundle,
            installBundleSecret: installBundleSecret,
            sidecarImage: sidecarImage,
            appID: appID,
            excluded: Set(exclude),
            assumeNoEntrypoint: Set(assumeNoEntrypoint),
            imageConfigs: configs,
            waas: bindings,
            waasEffect: waasEffect,
            startupMode: mode
        )
    }
}

struct EmbedTaskDefinition: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task-definition",
        abstract: "Protect an ECS task definition: add the defender sidecar and start each container under the defender.",
        discussion: """
            Reads RegisterTaskDefinition JSON or `aws ecs describe-task-definition` output and writes JSON that \
            `aws ecs register-task-definition --cli-input-json` accepts as is. Embedding twice gives the same \
            output; --remove restores the original.
            """
    )

    @Argument(help: "The task definition JSON (default: standard input).")
    var file: String?

    @Option(name: .shortAndLong, help: "Write the result here instead of standard output.")
    var output: String?

    @Flag(help: "Take the embedding out again.")
    var remove = false

    @OptionGroup var options: TaskEmbedOptions

    func run() throws {
        try CLIError.reporting {
            let source = file ?? "-"
            let text = try FileIO.readText(source)
            let layout = JSONValue.detectLayout(of: text)
            let document: JSONValue
            var hints: JSONLayoutHints
            do {
                (document, hints) = try JSONValue.parseKeepingLayout(text)
            } catch {
                throw CLIError("\(source == "-" ? "standard input" : source): not valid JSON: \(error)")
            }
            let embedder = TaskDefinitionEmbedder()
            let result: TaskDefinitionEmbedder.Output
            do {
                let (input, inputWarnings) = try TaskDefinitionEmbedder.registerInput(from: document)
                var r = remove ? try embedder.remove(input) : try embedder.embed(input, options: try options.embedOptions())
                r.warnings.insert(contentsOf: inputWarnings, at: 0)
                result = r
            } catch let error as EmbedError {
                throw CLIError(error.message)
            }
            for warning in result.warnings { FileIO.warn(warning) }
            if document.objectValue?["containerDefinitions"] == nil && document.objectValue?["taskDefinition"] != nil {
                hints = hints.under([.key("taskDefinition")])
            }
            // A document written on one line is written out indented: only nested one-line lists stay so.
            if hints.inline[[]] != nil { hints = JSONLayoutHints() }
            let rendered = JSONValue.object(result.taskDefinition).serialized(layout, keeping: hints)
            try FileIO.writeText(rendered + "\n", to: output)
        }
    }
}
