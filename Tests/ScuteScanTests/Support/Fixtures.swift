import Foundation
import Testing

@testable import ScuteScan

/// A hand-written dpkg database: `status`, `info/NAME.md5sums`, conffiles.
struct FakeDpkgPackage {
    var name: String
    var version = "1.0-1"
    var source: String?
    /// Path (no leading slash) and content of each shipped file.
    var files: [(String, String)] = []
    var conffiles: [(String, String)] = []
}

extension TestRoot {
    func installDpkg(_ packages: [FakeDpkgPackage], statusFolder: Bool = false) {
        var status = ""
        for package in packages {
            var paragraph = "Package: \(package.name)\nStatus: install ok installed\nArchitecture: amd64\nVersion: \(package.version)\n"
            if let source = package.source { paragraph += "Source: \(source)\n" }
            if !package.conffiles.isEmpty {
                paragraph += "Conffiles:\n"
                for (path, content) in package.conffiles {
                    write(path, content)
                    paragraph += " /\(path) \(md5(content))\n"
                }
            }
            paragraph += "Description: test package\n"
            var md5sums = ""
            for (path, content) in package.files {
                write(path, content, mode: path.contains("bin/") ? 0o755 : 0o644)
                md5sums += "\(md5(content))  \(path)\n"
            }
            if statusFolder {
                write("var/lib/dpkg/status.d/\(package.name)", paragraph.replacingOccurrences(of: "Status: install ok installed\n", with: ""))
                write("var/lib/dpkg/status.d/\(package.name).md5sums", md5sums)
            } else {
                status += paragraph + "\n"
                write("var/lib/dpkg/info/\(package.name).md5sums", md5sums)
            }
        }
        if !statusFolder { write("var/lib/dpkg/status", status) }
    }
}

func md5(_ text: String) -> String { hexString(FileDigest.digest(.md5, of: Array(text.utf8))) }

/// The debootstrap minbase root: SCUTE_DEBOOTSTRAP_ROOT, or built once into /var/cache/scute-tests.
enum MinbaseRoot {
    static let cached = "/var/cache/scute-tests/minbase-bookworm"

    /// The root's path, or nil (with the reason) when it cannot be had.
    static let path: Result<String, TestFailure> = {
        if let given = ProcessInfo.processInfo.environment["SCUTE_DEBOOTSTRAP_ROOT"], !given.isEmpty { return .success(given) }
        if FileManager.default.fileExists(atPath: cached + "/var/lib/dpkg/status") { return .success(cached) }
        guard let debootstrap = which("debootstrap") else { return .failure(TestFailure("debootstrap is not installed")) }
        let partial = cached + ".partial"
        do {
            try FileManager.default.createDirectory(atPath: "/var/cache/scute-tests", withIntermediateDirectories: true)
            _ = try? run("/bin/rm", ["-rf", partial])
            try run(debootstrap, ["--variant=minbase", "bookworm", partial, "http://deb.debian.org/debian"])
            try FileManager.default.moveItem(atPath: partial, toPath: cached)
            return .success(cached)
        } catch {
            return .failure(TestFailure("debootstrap could not build a minbase root (mirror unreachable?): \(error)"))
        }
    }()
}

extension ScanReport {
    func findings(_ check: Int, kind: String? = nil) -> [Finding] {
        findings.filter { $0.check == check && (kind == nil || $0.kind == kind) }
    }
}
