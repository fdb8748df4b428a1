import Testing

@testable import ScuteBundle
@testable import ScuteSidecar

#if canImport(Glibc)
import Glibc
#endif

@Suite("Sidecar")
struct SidecarTests {
    @Test func prepareUnpacksThenMarksReady() throws {
        let folder = try temporaryFolder()
        defer { removeTree(folder) }
        let bundle = folder + "/scute-defender.tar.gz"
        try FileSystem.writeAtomically(try DefenderBundle.make(defender: Array("#!/bin/sh\n".utf8), version: "0.1.0"), to: bundle)
        let volume = folder + "/scute"
        #expect(Sidecar.healthProblem(volume: volume)?.contains("does not exist") == true)
        try Sidecar(volume: volume, bundle: bundle).prepare()
        #expect(Sidecar.healthProblem(volume: volume) == nil)
        #expect(FileSystem.isExecutableFile(volume + "/defender"))
        #expect(FileSystem.exists(volume + "/.scute-ready"))
    }

    @Test func healthNamesWhatIsMissing() throws {
        let volume = try temporaryFolder()
        defer { removeTree(volume) }
        #expect(Sidecar.healthProblem(volume: volume) == "\(volume)/defender does not exist")
        try FileSystem.writeAtomically([1, 2, 3], to: volume + "/defender", mode: 0o644)
        #expect(Sidecar.healthProblem(volume: volume) == "\(volume)/defender is not an executable file")
        chmod(volume + "/defender", 0o755)
        #expect(Sidecar.healthProblem(volume: volume) == "the ready marker \(volume)/.scute-ready does not exist")
        try FileSystem.writeAtomically([], to: volume + "/.scute-ready")
        #expect(Sidecar.healthProblem(volume: volume) == nil)
    }

    @Test func prepareFailsOnABadBundleAndLeavesTheVolumeUnready() throws {
        let folder = try temporaryFolder()
        defer { removeTree(folder) }
        let volume = folder + "/scute"
        try FileSystem.makeDirectories(volume)
        try FileSystem.writeAtomically([], to: volume + "/.scute-ready")
        try FileSystem.writeAtomically(Array("not a bundle".utf8), to: folder + "/bad.tar.gz")
        #expect(throws: BundleError.self) { try Sidecar(volume: volume, bundle: folder + "/bad.tar.gz").prepare() }
        #expect(!FileSystem.exists(volume + "/.scute-ready"))
        let missing = try #require(throws: BundleError.self) { try Sidecar(volume: volume, bundle: folder + "/none.tar.gz").prepare() }
        #expect(missing.message.contains("none.tar.gz"))
    }

    @Test func bundleWithoutDefenderIsRejected() throws {
        let folder = try temporaryFolder()
        defer { removeTree(folder) }
        let archive = try Gzip.compress(try Tar.write([Tar.Entry(path: "README", mode: 0o644, data: [1])]))
        try FileSystem.writeAtomically(archive, to: folder + "/b.tar.gz")
        let error = try #require(throws: BundleError.self) { try Sidecar(volume: folder + "/v", bundle: folder + "/b.tar.gz").prepare() }
        #expect(error.message.contains("no executable defender"))
        #expect(!FileSystem.exists(folder + "/v/.scute-ready"))
    }

    @Test func terminationSignalIsNotLostWhenItComesEarly() {
        let termination = TerminationSignal.install()
        defer {
            signal(SIGTERM, SIG_DFL)
            signal(SIGINT, SIG_DFL)
        }
        // Sent before anyone waits: the handler keeps it in the pipe.
        kill(getpid(), SIGTERM)
        #expect(termination.wait() == SIGTERM)
        kill(getpid(), SIGINT)
        #expect(termination.wait() == SIGINT)
    }
}
