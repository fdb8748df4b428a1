import Foundation
import Testing

/// Runs an ecosystem's own tool over a table of version pairs, one process for the whole table, and returns its
/// verdict for each pair as -1, 0 or 1. Nil when the tool is not installed: the caller skips with a message.
enum Oracle {
    typealias Pair = (String, String)

    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") + ["/usr/sbin", "/usr/bin"] {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `executable` with `arguments`, `input` on its standard input; returns its standard output.
    static func run(_ executable: String, _ arguments: [String], input: String = "", environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Integers printed one per line.
    static func verdicts(_ output: String) -> [Int] {
        output.split(whereSeparator: \.isNewline).compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    static func json(_ pairs: [Pair]) -> String {
        let array = pairs.map { [$0.0, $0.1] }
        return String(decoding: try! JSONSerialization.data(withJSONObject: array), as: UTF8.self)
    }

    /// `dpkg --compare-versions`, one bash process looping over the pairs.
    static func dpkg(_ pairs: [Pair]) throws -> [Int]? {
        guard let bash = executable("bash"), executable("dpkg") != nil else { return nil }
        let script = """
            while IFS=$'\\t' read -r a b; do
              if dpkg --compare-versions "$a" lt "$b" 2>/dev/null; then echo -1
              elif dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then echo 0
              else echo 1; fi
            done
            """
        let input = pairs.map { "\($0.0)\t\($0.1)\n" }.joined()
        return verdicts(try run(bash, ["-c", script], input: input))
    }

    /// rpm's own `rpm.vercmp` through its embedded Lua, the pairs passed in the environment.
    static func rpm(_ pairs: [Pair]) throws -> [Int]? {
        guard let rpm = executable("rpm") else { return nil }
        let lua = """
            %{lua: for a, b in string.gmatch(os.getenv("SCUTE_PAIRS"), "([^\\t\\n]+)\\t([^\\t\\n]+)\\n") do print(rpm.vercmp(a, b) .. "\\n") end}
            """
        let pairsText = pairs.map { "\($0.0)\t\($0.1)\n" }.joined()
        return verdicts(try run(rpm, ["--eval", lua], environment: ["SCUTE_PAIRS": pairsText])).map { $0.signum() }
    }

    /// Python's `packaging.version.Version`.
    static func packaging(_ pairs: [Pair]) throws -> [Int]? {
        guard let python = executable("python3") else { return nil }
        let script = """
            import json, sys
            try:
                from packaging.version import Version
            except ImportError:
                sys.exit(3)
            for a, b in json.load(sys.stdin):
                x, y = Version(a), Version(b)
                print(-1 if x < y else (0 if x == y else 1))
            """
        let output = try run(python, ["-c", script], input: json(pairs))
        return output.isEmpty ? nil : verdicts(output)
    }

    /// node-semver as npm bundles it.
    static func nodeSemver(_ pairs: [Pair]) throws -> [Int]? {
        let module = "/usr/lib/node_modules/npm/node_modules/semver"
        guard let node = executable("node"), FileManager.default.fileExists(atPath: module) else { return nil }
        let script = """
            const semver = require("\(module)");
            let input = ""; process.stdin.on("data", d => input += d);
            process.stdin.on("end", () => { for (const [a, b] of JSON.parse(input)) console.log(semver.compare(a, b)); });
            """
        return verdicts(try run(node, ["-e", script], input: json(pairs)))
    }

    /// RubyGems' `Gem::Version#<=>`.
    static func rubygems(_ pairs: [Pair]) throws -> [Int]? {
        guard let ruby = executable("ruby") else { return nil }
        let script = """
            require "json"
            JSON.parse(STDIN.read).each { |a, b| puts(Gem::Version.new(a) <=> Gem::Version.new(b)) }
            """
        return verdicts(try run(ruby, ["-e", script], input: json(pairs)))
    }

    /// Maven's own ComparableVersion: its `main` compares each argument with the next one, so the pairs are
    /// passed flat and every second comparison is kept.
    static func maven(_ pairs: [Pair]) throws -> [Int]? {
        let jar = "/usr/share/maven/lib/maven-artifact-3.x.jar"
        guard let java = executable("java"), FileManager.default.fileExists(atPath: jar) else { return nil }
        let arguments = ["-cp", jar, "org.apache.maven.artifact.versioning.ComparableVersion"] + pairs.flatMap { [$0.0, $0.1] }
        let lines = try run(java, arguments).split(whereSeparator: \.isNewline).filter { $0.hasPrefix("   ") }
        let results: [Int] = lines.map { line in
            if line.contains(" < ") { return -1 }
            if line.contains(" == ") { return 0 }
            return 1
        }
        return stride(from: 0, to: results.count, by: 2).map { results[$0] }
    }
}
