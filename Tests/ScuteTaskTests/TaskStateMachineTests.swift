import ScuteTask
import Testing

@Suite("Task lifecycle without processes")
struct TaskStateMachineTests {
    typealias Action = TaskStateMachine.Action

    static func machine(_ containers: String) throws -> TaskStateMachine {
        TaskStateMachine(definition: try TaskDefinition.parse(#"{"family": "f", "containerDefinitions": [\#(containers)]}"#))
    }

    static func starts(_ actions: [Action]) -> [Int] {
        actions.compactMap { if case .start(let index) = $0 { return index } else { return nil } }
    }

    static func finish(_ actions: [Action]) -> Int32? {
        actions.compactMap { if case .finish(let status) = $0 { return status } else { return nil } }.first
    }

    static let chain = """
        {"name": "init", "image": "i", "essential": false},
        {"name": "setup", "image": "i", "essential": false, "dependsOn": [{"containerName": "init", "condition": "SUCCESS"}]},
        {"name": "app", "image": "i", "dependsOn": [{"containerName": "setup", "condition": "COMPLETE"}]},
        {"name": "logger", "image": "i", "essential": false, "dependsOn": [{"containerName": "app", "condition": "START"}]}
        """

    @Test func containersStartWhenTheirConditionsHold() throws {
        var machine = try Self.machine(Self.chain)
        #expect(Self.starts(machine.advance(at: .zero)) == [0])
        machine.started(0, at: .zero)
        #expect(Self.starts(machine.advance(at: .zero)).isEmpty)
        machine.exited(0, status: 0, at: .seconds(1))
        #expect(Self.starts(machine.advance(at: .seconds(1))) == [1])
        machine.started(1, at: .seconds(1))
        machine.exited(1, status: 3, at: .seconds(2))
        // COMPLETE holds whatever the status; START holds as soon as app started.
        #expect(Self.starts(machine.advance(at: .seconds(2))) == [2])
        machine.started(2, at: .seconds(2))
        #expect(Self.starts(machine.advance(at: .seconds(2))) == [3])
        #expect(!machine.isStopping)
    }

    @Test func aFailedSuccessDependencyKeepsTheEssentialContainerFromStarting() throws {
        var machine = try Self.machine(Self.chain)
        _ = machine.advance(at: .zero)
        machine.started(0, at: .zero)
        machine.exited(0, status: 1, at: .seconds(1))
        let actions = machine.advance(at: .seconds(1))
        #expect(Self.starts(actions).isEmpty)
        #expect(machine.phase(1) == .notStarted)
        #expect(machine.phase(2) == .notStarted)
        #expect(actions.contains(.report("container setup will not start: init exited with status 1, not 0")))
        #expect(Self.finish(actions) == TaskStateMachine.notStartedStatus)
    }

    static let healthy = """
        {"name": "side", "image": "i", "healthCheck": {"command": ["CMD", "check"], "interval": 5, "timeout": 2, "retries": 2, "startPeriod": 12}},
        {"name": "app", "image": "i", "dependsOn": [{"containerName": "side", "condition": "HEALTHY"}]}
        """

    @Test func healthyFollowsTheChecksIntervalRetriesAndStartPeriod() throws {
        var machine = try Self.machine(Self.healthy)
        #expect(Self.starts(machine.advance(at: .zero)) == [0])
        machine.started(0, at: .zero)
        #expect(machine.advance(at: .seconds(1)).isEmpty)
        #expect(machine.nextDeadline() == .seconds(5))
        #expect(machine.advance(at: .seconds(5)) == [.runHealthCheck(0)])
        machine.healthCheckFinished(0, passed: false, at: .seconds(6))
        #expect(machine.advance(at: .seconds(10)).isEmpty)
        #expect(machine.advance(at: .seconds(11)) == [.runHealthCheck(0)])
        machine.healthCheckFinished(0, passed: false, at: .seconds(11))
        // Both failures fell in the start period: still not UNHEALTHY.
        #expect(machine.health(0) == .unknown)
        #expect(machine.advance(at: .seconds(16)) == [.runHealthCheck(0)])
        machine.healthCheckFinished(0, passed: true, at: .seconds(16))
        let actions = machine.advance(at: .seconds(16))
        #expect(actions == [.report("container side is HEALTHY"), .start(1)])
        #expect(machine.health(0) == .healthy)
    }

    @Test func failuresAfterTheStartPeriodMakeItUnhealthy() throws {
        var machine = try Self.machine(Self.healthy)
        _ = machine.advance(at: .zero)
        machine.started(0, at: .zero)
        for second in [15, 20] {
            #expect(machine.advance(at: .seconds(second)) == [.runHealthCheck(0)])
            machine.healthCheckFinished(0, passed: false, at: .seconds(second))
        }
        #expect(machine.health(0) == .unhealthy)
        #expect(machine.advance(at: .seconds(21)) == [.report("container side is UNHEALTHY")])
    }

    @Test func aCheckPastItsTimeoutIsCancelledAndCountsAsFailed() throws {
        var machine = try Self.machine(Self.healthy)
        _ = machine.advance(at: .zero)
        machine.started(0, at: .zero)
        #expect(machine.advance(at: .seconds(5)) == [.runHealthCheck(0)])
        #expect(machine.nextDeadline() == .seconds(7))
        #expect(machine.advance(at: .seconds(7)) == [.cancelHealthCheck(0)])
        #expect(machine.isHealthCheckRunning(0))
        machine.healthCheckFinished(0, passed: false, at: .seconds(7))
        #expect(!machine.isHealthCheckRunning(0))
        #expect(machine.nextDeadline() == .seconds(12))
    }

    @Test func aDependencyThatExitsBeforeItIsHealthyStopsTheTask() throws {
        var machine = try Self.machine(Self.healthy)
        _ = machine.advance(at: .zero)
        machine.started(0, at: .zero)
        machine.exited(0, status: 2, at: .seconds(1))
        let actions = machine.advance(at: .seconds(1))
        #expect(machine.phase(1) == .notStarted)
        // side is essential and exited first: its status is the task's.
        #expect(Self.finish(actions) == 2)
    }

    @Test func startTimeoutGivesUpOnDependencies() throws {
        var machine = try Self.machine(
            """
            {"name": "side", "image": "i", "healthCheck": {"command": ["CMD", "check"], "interval": 5}},
            {"name": "app", "image": "i", "startTimeout": 30, "dependsOn": [{"containerName": "side", "condition": "HEALTHY"}]}
            """
        )
        _ = machine.advance(at: .zero)
        machine.started(0, at: .zero)
        #expect(machine.nextDeadline() == .seconds(5))
        let actions = machine.advance(at: .seconds(30))
        #expect(actions.contains(.report("container app will not start: its dependencies were not met within its startTimeout of 30 s")))
        #expect(actions.contains(.terminate(0)))
        #expect(machine.exitStatus == TaskStateMachine.notStartedStatus)
    }

    @Test func anEssentialExitStopsDependentsFirstThenKillsAfterStopTimeout() throws {
        var machine = try Self.machine(
            """
            {"name": "side", "image": "i", "essential": true, "stopTimeout": 10},
            {"name": "app", "image": "i", "stopTimeout": 5, "dependsOn": [{"containerName": "side", "condition": "START"}]},
            {"name": "tail", "image": "i", "essential": false, "stopTimeout": 2, "dependsOn": [{"containerName": "app", "condition": "START"}]},
            {"name": "done", "image": "i", "essential": false}
            """
        )
        #expect(Self.starts(machine.advance(at: .zero)) == [0, 3])
        machine.started(0, at: .zero)
        machine.started(3, at: .zero)
        #expect(Self.starts(machine.advance(at: .zero)) == [1])
        machine.started(1, at: .zero)
        #expect(Self.starts(machine.advance(at: .zero)) == [2])
        machine.started(2, at: .zero)
        machine.exited(3, status: 0, at: .seconds(1))
        #expect(machine.advance(at: .seconds(1)) == [.report("container done exited with status 0")])
        machine.exited(1, status: 9, at: .seconds(2))
        var actions = machine.advance(at: .seconds(2))
        // app is gone, so nothing holds side or tail: both get SIGTERM.
        #expect(actions.contains(.terminate(0)) && actions.contains(.terminate(2)))
        #expect(machine.nextDeadline() == .seconds(4))
        actions = machine.advance(at: .seconds(4))
        #expect(actions.contains(.kill(2)) && !actions.contains(.kill(0)))
        machine.exited(2, status: 137, at: .seconds(4))
        machine.exited(0, status: 143, at: .seconds(5))
        actions = machine.advance(at: .seconds(5))
        #expect(Self.finish(actions) == 9)
        #expect(machine.stopReason == "essential container app exited")
    }

    @Test func aStopRequestWaitsForDependentsBeforeStoppingWhatTheyNeed() throws {
        var machine = try Self.machine(
            """
            {"name": "side", "image": "i"},
            {"name": "app", "image": "i", "dependsOn": [{"containerName": "side", "condition": "START"}]}
            """
        )
        _ = machine.advance(at: .zero)
        machine.started(0, at: .zero)
        _ = machine.advance(at: .zero)
        machine.started(1, at: .zero)
        machine.requestStop(reason: "received signal 2")
        var actions = machine.advance(at: .seconds(1))
        #expect(actions.contains(.terminate(1)) && !actions.contains(.terminate(0)))
        machine.exited(1, status: 143, at: .seconds(2))
        actions = machine.advance(at: .seconds(2))
        #expect(actions.contains(.terminate(0)))
        machine.exited(0, status: 0, at: .seconds(3))
        // The first essential container to exit gives the status.
        #expect(Self.finish(machine.advance(at: .seconds(3))) == 143)
    }
}
