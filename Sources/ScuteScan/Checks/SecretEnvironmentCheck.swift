/// Check 424: sensitive information in environment variables, by value (known token formats) and by name
/// (`DB_PASSWORD`, `API_KEY`, ...). A finding names the variable and the rule, never the value.
package enum SecretEnvironmentCheck {
    /// Name tokens that mark a secret when they stand between underscores (or at an end).
    static let secretNameTokens: Set<String> = [
        "apikey", "auth", "credential", "credentials", "key", "password", "passwd", "pword", "secret", "token",
    ]
    /// Values that say something is on or off, not a secret.
    static let flagValues: Set<String> = ["true", "false", "yes", "no", "on", "off", "none", "null", "0", "1", "enabled", "disabled"]

    /// Findings for a container's environment.
    package static func findings(_ environment: [EnvironmentVariable]) -> [Finding] {
        var findings: [Finding] = []
        for variable in environment {
            guard !variable.value.isEmpty else { continue }
            if let rule = SecretValuePatterns.match(variable.value) {
                findings.append(
                    Finding(
                        .secretEnvironment,
                        severity: .high,
                        kind: rule.kind,
                        variable: variable.name,
                        detail: "value looks like \(rule.description)"
                    )
                )
            } else if isSecretName(variable.name) && !isPublicOrPointer(variable) {
                findings.append(
                    Finding(
                        .secretEnvironment,
                        severity: .high,
                        kind: "name",
                        variable: variable.name,
                        detail: "variable name suggests a secret and it holds a literal value"
                    )
                )
            }
        }
        return findings
    }

    /// `(_|^)(apikey|auth|credentials?|key|password|passwd|pword|secret|token)(_|$)`, any case.
    static func isSecretName(_ name: String) -> Bool {
        name.lowercased().split(separator: "_").contains { secretNameTokens.contains(String($0)) }
    }

    /// Pointers to secrets (`*_FILE`, `*_PATH`, URLs without credentials), public values (`PUBLIC*`, `*VERSION*`,
    /// GPG fingerprints) and on/off flags.
    static func isPublicOrPointer(_ variable: EnvironmentVariable) -> Bool {
        let name = variable.name.uppercased()
        let value = variable.value.trimmingCharacters(in: " \t\r\n")
        if name.hasSuffix("_FILE") || name.hasSuffix("_PATH") || name.hasSuffix("_DIR") || name.hasPrefix("PUBLIC") || name.contains("VERSION") {
            return true
        }
        if name.hasSuffix("_URL") || name.hasSuffix("_URI") { return !SecretValuePatterns.urlHasPassword(value) }
        if flagValues.contains(value.lowercased()) { return true }
        if SecretValuePatterns.isFingerprint(value) { return true }
        // A path to a file or folder is a pointer, not the secret itself.
        if value.hasPrefix("/") && !value.contains(" ") { return true }
        return false
    }
}

/// One environment variable.
package struct EnvironmentVariable: Sendable, Hashable {
    package var name: String
    package var value: String

    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// `NAME=VALUE` lines of a Docker-style env file; `#` comments and blank lines skipped, a line without `=` ignored.
    package static func parseEnvFile(_ text: String) -> [EnvironmentVariable] {
        text.split(separator: "\n").compactMap { rawLine in
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { return nil }
            var name = trimmed[..<equals]
            if name.hasPrefix("export ") { name = name.dropFirst(7) }
            var value = trimmed[trimmed.index(after: equals)...]
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = value.dropFirst().dropLast()
            }
            return EnvironmentVariable(name: String(name.trimmingCharacters(in: " \t")), value: String(value))
        }
    }

    /// The NUL-separated `NAME=VALUE` entries of `/proc/PID/environ`.
    package static func parseEnviron(_ bytes: [UInt8]) -> [EnvironmentVariable] {
        bytes.split(separator: 0).compactMap { entry in
            guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            return EnvironmentVariable(
                name: String(decoding: entry[..<equals], as: UTF8.self),
                value: String(decoding: entry[(equals + 1)...], as: UTF8.self)
            )
        }
    }

    /// The environment of a running process (`/proc/PID/environ`).
    package static func read(pid: Int32) throws(ScanError) -> [EnvironmentVariable] {
        let root = try RootDirectory(path: "/proc/\(pid)")
        guard let bytes = root.readSmallFile("environ", limit: 16 << 20) else {
            throw .io("cannot read the environment of process \(pid): \(errnoMessage())")
        }
        return parseEnviron(bytes)
    }
}
