import Testing

@testable import ScuteScan

/// Custom checks: shell scripts with a timeout, a clean environment and bounded output.
@Suite struct CustomCheckRunnerTests {
    @Test func exitZeroPasses() {
        let result = CustomCheckRunner().run(script: "echo all good")
        #expect(result == CustomCheckResult(status: .passed, exitCode: 0, output: "all good\n", outputTruncated: false))
    }

    @Test func nonZeroFailsAndKeepsStandardError() {
        let result = CustomCheckRunner().run(script: "echo found /etc/shadow readable >&2; exit 3")
        #expect(result.status == .failed)
        #expect(result.exitCode == 3)
        #expect(result.output == "found /etc/shadow readable\n")
    }

    @Test func cleanEnvironmentAndNoInput() {
        let result = CustomCheckRunner().run(script: "env | sort; read line || echo no-input")
        #expect(result.status == .passed)
        let lines = result.output.split(separator: "\n").filter { !$0.hasPrefix("PWD=") && !$0.hasPrefix("SHLVL=") && !$0.hasPrefix("_=") }
        #expect(lines == ["HOME=/", "LC_ALL=C", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "no-input"])
    }

    @Test func timeoutKillsTheScriptAndWhatItStarted() {
        let runner = CustomCheckRunner(timeoutMilliseconds: 300)
        let result = runner.run(script: "echo started; sleep 30 & sleep 30")
        #expect(result.status == .timeout)
        #expect(result.exitCode == nil)
        #expect(result.output == "started\n")
    }

    @Test func backgroundChildDoesNotHoldTheResult() {
        let result = CustomCheckRunner(timeoutMilliseconds: 10_000).run(script: "sleep 30 & echo done")
        #expect(result.status == .passed)
        #expect(result.output == "done\n")
    }

    @Test func outputIsBounded() {
        let result = CustomCheckRunner(outputLimit: 100).run(script: "yes | head -c 100000; exit 1")
        #expect(result.status == .failed)
        #expect(result.output.utf8.count == 100)
        #expect(result.outputTruncated)
    }

    @Test func missingShellIsAnError() {
        let result = CustomCheckRunner(shell: "/nonexistent/sh").run(script: "true")
        #expect(result.status == .error)
        #expect(result.output.contains("/nonexistent/sh"))
    }
}
