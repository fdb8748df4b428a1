import Foundation

@testable import ScuteVulns

/// The OSV records written for these tests, in Fixtures/osv (one folder per ecosystem).
enum Fixtures {
    static let osvFolder: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast()
        return parts.joined(separator: "/") + "/Fixtures/osv"
    }()

    /// Every fixture record, loaded once.
    static let advisories: [OSVAdvisory] = {
        let load = try! AdvisoryLoader.load(folder: osvFolder)
        precondition(load.problems.isEmpty, "fixture problems: \(load.problems)")
        return load.advisories
    }()

    static let matcher = VulnerabilityMatcher(advisories: advisories)

    static func advisory(_ id: String) -> OSVAdvisory { advisories.first { $0.id == id }! }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "scute-vulns-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
