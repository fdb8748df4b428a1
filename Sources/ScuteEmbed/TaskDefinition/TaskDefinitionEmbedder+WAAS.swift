import ScuteCore

extension TaskDefinitionEmbedder {
    /// Checks the WAAS bindings against the task: each names a protected container, no two share a port, the
    /// task is awsvpc (the proxy reaches the app on loopback only in one network namespace). Warns where the
    /// load balancer could not reach the proxy, or clients could reach the app around it.
    func checkWAAS(
        _ bindings: [WAASBinding],
        effect: String?,
        td: JSONObject,
        containers: [JSONObject],
        excluded: Set<String>,
        warnings: inout [String]
    ) throws(EmbedError) {
        if let effect, !WAASEmbedEffect.names.contains(effect) {
            throw EmbedError.invalidInput("--waas-effect \(effect): expected one of \(WAASEmbedEffect.names.joined(separator: ", "))")
        }
        guard !bindings.isEmpty else {
            if effect != nil { throw EmbedError.invalidInput("--waas-effect needs --waas CONTAINER=EXTERNAL:APP") }
            return
        }
        let names = containers.compactMap { $0[k("name")]?.stringValue }
        if let mode = td[k("networkMode")]?.stringValue, mode != "awsvpc" {
            throw EmbedError.invalidInput(
                "--waas: the task's \(k("networkMode")) is \(mode); the proxy reaches the app on 127.0.0.1 only with awsvpc (as on Fargate)"
            )
        }
        var ports: [Int: String] = [:]
        for b in bindings {
            guard names.contains(b.container) else { throw EmbedError.unknownContainer(option: "--waas", name: b.container, known: names) }
            if excluded.contains(b.container) {
                throw EmbedError.invalidInput(
                    "--waas \(b.text): \(b.container) is excluded; the firewall stands in front of protected containers only"
                )
            }
            for port in [b.externalPort, b.appPort] {
                if let other = ports[port] { throw EmbedError.invalidInput("--waas \(b.text): port \(port) is already used by --waas \(other)") }
                ports[port] = b.text
            }
            let mapped = containers.first { $0[k("name")]?.stringValue == b.container }?[k("portMappings")]?.arrayValue ?? []
            let containerPorts = Set(mapped.compactMap { $0.objectValue?[k("containerPort")]?.intValue })
            if !containerPorts.contains(b.externalPort) {
                warnings.append(
                    "--waas \(b.text): \(b.container) maps no \(k("containerPort")) \(b.externalPort): the load balancer's target "
                        + "must send traffic to port \(b.externalPort), where the firewall listens"
                )
            }
            if containerPorts.contains(b.appPort) {
                warnings.append(
                    "--waas \(b.text): \(b.container) maps \(k("containerPort")) \(b.appPort), the app's port behind the firewall: "
                        + "remove that mapping so that traffic cannot go around the firewall"
                )
            }
            warnings.append(
                "--waas \(b.text): make \(b.container) listen on 127.0.0.1:\(b.appPort) (its port setting, e.g. PORT=\(b.appPort)); "
                    + "the firewall takes port \(b.externalPort)"
            )
        }
    }
}
