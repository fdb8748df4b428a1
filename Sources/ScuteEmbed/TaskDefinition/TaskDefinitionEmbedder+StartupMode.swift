import ScuteCore

extension TaskDefinitionEmbedder {
    /// The startup mode an earlier embed chose: security when it added `SCUTE_STARTUP_MODE=security` to a
    /// protected container (availability adds nothing), nil when it added the variable nowhere.
    func embeddedStartupMode(_ containers: [JSONObject]) -> StartupMode? {
        for c in containers {
            guard let state = embedState(of: c), state.contains("env=\(StartupMode.variable)") else { continue }
            for entry in c[k("environment")]?.arrayValue ?? [] {
                guard let o = entry.objectValue, o[k("name")]?.stringValue == StartupMode.variable else { continue }
                if let value = o[k("value")]?.stringValue, let mode = StartupMode(rawValue: value) { return mode }
            }
        }
        return nil
    }

    /// What a protected container's environment gains for `mode`: `SCUTE_STARTUP_MODE=security`, or nothing
    /// for availability (the defender's default), so an availability embed leaves the environment as before.
    func startupModeVariables(
        _ mode: StartupMode,
        container c: JSONObject,
        name: String,
        warnings: inout [String]
    ) -> [(String, JSONValue)] {
        let own = c[k("environment")]?.arrayValue?.compactMap(\.objectValue)
            .first { $0[k("name")]?.stringValue == StartupMode.variable }
        if let own {
            // The container's own value wins, as for the other variables; say so when it weakens security.
            let value = own[k("value")]?.stringValue ?? ""
            if mode == .security && value != mode.rawValue {
                warnings.append(
                    "container \"\(name)\" sets \(StartupMode.variable)=\(value) itself: its own value wins over the startup mode security"
                )
            }
            return []
        }
        return mode == .security ? [(StartupMode.variable, .string(mode.rawValue))] : []
    }
}
