import Foundation
import ScuteCore
import ScuteEmbed

/// Reads the example files shipped in the repository's examples/ folder.
enum Fixtures {
    static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    static func text(_ relative: String) throws -> String {
        try String(contentsOfFile: root + "/" + relative, encoding: .utf8)
    }

    static func taskDefinition(_ name: String) throws -> JSONObject {
        let value = try JSONValue.parse(try text("examples/task-definitions/\(name)"))
        return try TaskDefinitionEmbedder.registerInput(from: value).0
    }
}
