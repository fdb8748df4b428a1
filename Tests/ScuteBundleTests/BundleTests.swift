import Testing

@testable import ScuteBundle

#if canImport(Glibc)
import Glibc
#endif

/// A fresh temporary folder for one test.
func temporaryFolder() throws -> String {
    var template = Array("/tmp/scute-bundle-test-XXXXXX".utf8CString)
    let path = try #require(mkdtemp(&template))
    return String(cString: path)
}

/// Removes a folder tree made by a test.
func removeTree(_ path: String) {
    _ = path.withCString { p in system("rm -rf '\(String(cString: p))'") }
}

@Suite("Defender bundle")
struct BundleTests {
    @Test func gzipRoundTripsAndIsDeterministic() throws {
        let data = Array((0..<200_000).map { UInt8(truncatingIfNeeded: $0 * 7 % 251) })
        let a = try Gzip.compress(data)
        let b = try Gzip.compress(data)
        #expect(a == b)
        #expect(a[0] == 0x1F && a[1] == 0x8B)
        #expect(a[4..<8].allSatisfy { $0 == 0 })  // no timestamp
        #expect(a.count < data.count / 2)
        #expect(try Gzip.decompress(a) == data)
    }

    @Test func gzipRejectsGarbage() throws {
        let error = try #require(throws: BundleError.self) { try Gzip.decompress(Array("definitely not gzip data".utf8)) }
        #expect(error.isCorrupt)
        var truncated = try Gzip.compress(Array(repeating: 65, count: 10000))
        truncated.removeLast(10)
        #expect(throws: BundleError.self) { try Gzip.decompress(truncated) }
    }

    @Test func tarRoundTrips() throws {
        let entries = [
            Tar.Entry(path: "defender", mode: 0o755, data: Array(repeating: 1, count: 1000)),
            Tar.Entry(path: "lib", mode: 0o755, kind: .directory),
            Tar.Entry(path: "lib/empty", mode: 0o600, data: []),
        ]
        let bytes = try Tar.write(entries)
        #expect(bytes.count % 512 == 0)
        let back = try Tar.read(bytes)
        #expect(back.map(\.path) == ["defender", "lib/", "lib/empty"])
        #expect(back[0].data == entries[0].data)
        #expect(back[0].mode == 0o755)
        #expect(back[2].mode == 0o600)
    }

    @Test func bundleIsDeterministicAndUnpacksExecutable() throws {
        let folder = try temporaryFolder()
        defer { removeTree(folder) }
        let script = Array("#!/bin/sh\necho bundled\n".utf8)
        let bundle = try DefenderBundle.make(defender: script, version: "1.2.3")
        #expect(try DefenderBundle.make(defender: script, version: "1.2.3") == bundle)
        let written = try DefenderBundle.unpack(bundle, into: folder + "/vol/scute")
        #expect(written == [folder + "/vol/scute/defender", folder + "/vol/scute/VERSION"])
        #expect(FileSystem.isExecutableFile(folder + "/vol/scute/defender"))
        #expect(try FileSystem.read(folder + "/vol/scute/defender") == script)
        #expect(try FileSystem.read(folder + "/vol/scute/VERSION") == Array("1.2.3\n".utf8))
    }

    @Test func bundleReadsWithSystemTar() throws {
        let folder = try temporaryFolder()
        defer { removeTree(folder) }
        let bundle = try DefenderBundle.make(defender: Array("#!/bin/sh\n".utf8), version: "0.1.0")
        try FileSystem.writeAtomically(bundle, to: folder + "/b.tar.gz")
        #expect(system("tar -xzf \(folder)/b.tar.gz -C \(folder) && test -x \(folder)/defender") == 0)
    }

    @Test(arguments: ["../escape", "/etc/passwd", "a/../../b"])
    func unpackRefusesPathsOutsideTheFolder(_ path: String) throws {
        let folder = try temporaryFolder()
        defer { removeTree(folder) }
        let archive = try Gzip.compress(try Tar.write([Tar.Entry(path: path, mode: 0o644, data: [1])]))
        let error = try #require(throws: BundleError.self) { try DefenderBundle.unpack(archive, into: folder + "/in") }
        #expect(error.isUnsafePath)
    }

    @Test func architectureOfTheBundledDefender() throws {
        let shell = try FileSystem.read("/bin/sh")
        #expect(ELF.architecture(shell) == "amd64")
        var arm = shell
        arm[18] = 183
        arm[19] = 0
        #expect(ELF.architecture(arm) == "arm64")
        #expect(DefenderBundle.architecture(ofBundle: try DefenderBundle.make(defender: arm, version: "x")) == "arm64")
        #expect(DefenderBundle.architecture(ofBundle: try DefenderBundle.make(defender: [1, 2, 3], version: "x")) == nil)
        #expect(DefenderBundle.architecture(ofBundle: [0x1F, 0x8B]) == nil)
    }

    @Test func elfStaticCheck() throws {
        let shell = try FileSystem.read("/bin/sh")
        #expect(ELF.isStaticExecutable(shell) == false)
        #expect(ELF.isStaticExecutable(Array("#!/bin/sh\n".utf8)) == nil)
        if FileSystem.exists("/bin/busybox"), let busybox = try? FileSystem.read("/bin/busybox"),
            ELF.isStaticExecutable(busybox) == true
        {
            #expect(busybox.count > 0)
        }
    }
}
