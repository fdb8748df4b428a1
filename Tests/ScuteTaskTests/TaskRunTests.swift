import ScuteCore
import ScuteTask
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Real tasks: containers as namespaced process trees on busybox roots.
@Suite(
    "scute task run with real containers",
    .serialized,
    .enabled(if: TaskRunSupport.canRun, "needs root (namespaces, mounts) and busybox-static: skipped")
)
struct TaskRunTests {
    @Test func containersShareAVolumeAndStartInDependencyOrder() throws {
        let json = """
            {"family": "order", "volumes": [{"name": "shared"}], "containerDefinitions": [
              {"name": "init", "image": "busybox", "essential": false, "entryPoint": ["sh", "-c"],
               "command": ["echo one > /data/log; echo pid $$"], "mountPoints": [{"sourceVolume": "shared", "containerPath": "/data"}]},
              {"name": "setup", "image": "busybox", "essential": false, "entryPoint": ["sh", "-c"], "command": ["echo two >> /data/log; exit 5"],
               "mountPoints": [{"sourceVolume": "shared", "containerPath": "/data"}],
               "dependsOn": [{"containerName": "init", "condition": "SUCCESS"}]},
              {"name": "app", "image": "busybox", "entryPoint": ["sh", "-c"],
               "command": ["cat /data/log; touch /data/x 2>/dev/null || echo read-only; echo pid $$; hostname"],
               "mountPoints": [{"sourceVolume": "shared", "containerPath": "/data", "readOnly": true}],
               "dependsOn": [{"containerName": "setup", "condition": "COMPLETE"}]},
              {"name": "follower", "image": "busybox", "essential": false, "command": ["true"],
               "dependsOn": [{"containerName": "app", "condition": "START"}]}
            ]}
            """
        let run = try TaskRunSupport.run(json)
        #expect(run.status == 0)
        #expect(run.output.lines(of: "init") == ["pid 1"])
        #expect(run.output.lines(of: "app") == ["one", "two", "read-only", "pid 1", "ip-127-0-0-1"])
        let starts = run.output.events.filter { $0.contains(" started: ") }.map { $0.split(separator: " ")[1] }
        #expect(starts == ["init", "setup", "app", "follower"])
        #expect(run.output.events.contains("container setup exited with status 5"))
        #expect(!TaskRunSupport.exists(run.plan.staging))
    }

    @Test func healthyWaitsForTheHealthCheckToPass() throws {
        // The check passes on its second try, counting its tries in the shared volume.
        let check = "n=$(cat /shared/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /shared/n; test $n -ge 2"
        let json = """
            {"family": "health", "volumes": [{"name": "shared"}], "containerDefinitions": [
              {"name": "side", "image": "busybox", "entryPoint": ["sh", "-c"],
               "command": ["trap 'exit 0' TERM; while :; do sleep 1; done"],
               "mountPoints": [{"sourceVolume": "shared", "containerPath": "/shared"}],
               "healthCheck": {"command": ["CMD-SHELL", "\(check)"], "interval": 5, "timeout": 3, "retries": 3}},
              {"name": "app", "image": "busybox", "entryPoint": ["sh", "-c"], "command": ["cat /shared/n"],
               "mountPoints": [{"sourceVolume": "shared", "containerPath": "/shared"}],
               "dependsOn": [{"containerName": "side", "condition": "HEALTHY"}]}
            ]}
            """
        let run = try TaskRunSupport.run(json)
        #expect(run.status == 0)
        #expect(run.output.lines(of: "app") == ["2"])
        let events = run.output.events
        let healthy = try #require(events.firstIndex(of: "container side is HEALTHY"))
        let appStarted = try #require(events.firstIndex { $0.hasPrefix("container app started") })
        #expect(healthy < appStarted)
    }

    @Test func anEssentialExitStopsTheOthersAndGivesItsStatus() throws {
        let json = """
            {"family": "essential", "containerDefinitions": [
              {"name": "worker", "image": "busybox", "essential": false, "entryPoint": ["sh", "-c"],
               "command": ["trap 'echo stopping; exit 0' TERM; echo ready; while :; do sleep 1; done"]},
              {"name": "app", "image": "busybox", "entryPoint": ["sh", "-c"], "command": ["sleep 1; exit 3"]}
            ]}
            """
        let run = try TaskRunSupport.run(json)
        #expect(run.status == 3)
        #expect(run.output.lines(of: "worker") == ["ready", "stopping"])
        #expect(run.output.events.contains("container worker exited with status 0"))
        #expect(run.output.events.contains("stopping the task: essential container app exited"))
    }

    @Test func aContainerIgnoringSIGTERMIsKilledAfterItsStopTimeout() throws {
        let json = """
            {"family": "stubborn", "containerDefinitions": [
              {"name": "stubborn", "image": "busybox", "essential": false, "stopTimeout": 1, "entryPoint": ["sh", "-c"],
               "command": ["trap '' TERM; echo ignoring; while :; do sleep 1; done"]},
              {"name": "app", "image": "busybox", "command": ["sleep", "1"]}
            ]}
            """
        let run = try TaskRunSupport.run(json)
        #expect(run.status == 0)
        #expect(run.output.events.contains("container stubborn did not stop within 1 s of SIGTERM: sending SIGKILL"))
        #expect(run.output.events.contains("container stubborn exited with status 137"))
    }

    @Test func theMetadataEndpointAnswersInsideTheTask() throws {
        let json = """
            {"family": "meta", "revision": 3, "containerDefinitions": [
              {"name": "probe", "image": "busybox", "entryPoint": ["sh", "-c"],
               "command": ["wget -qO- $ECS_CONTAINER_METADATA_URI_V4/task; echo; echo ---; wget -qO- $ECS_CONTAINER_METADATA_URI_V4"]}
            ]}
            """
        let run = try TaskRunSupport.run(json)
        #expect(run.status == 0)
        let text = run.output.lines(of: "probe").joined(separator: "\n")
        let parts = text.split(separator: "---").map(String.init)
        try #require(parts.count == 2)
        let task = try #require(try JSONValue.parse(parts[0]).objectValue)
        #expect(task["TaskARN"] == .string(run.plan.identity.taskARN))
        #expect(task["Family"] == "meta")
        #expect(task["Revision"] == "3")
        #expect(task["KnownStatus"] == "RUNNING")
        let container = try #require(try JSONValue.parse(parts[1]).objectValue)
        #expect(container["DockerId"] == .string(run.plan.identity.containerIDs[0]))
        #expect(container["Name"] == "probe")
        #expect(container["KnownStatus"] == "RUNNING")
        #expect(container["Labels"]?.objectValue?["com.amazonaws.ecs.task-arn"] == .string(run.plan.identity.taskARN))
    }

    @Test func environmentSecretsUserAndWorkingDirectory() throws {
        let json = """
            {"family": "env", "containerDefinitions": [
              {"name": "app", "image": "busybox", "user": "app", "workingDirectory": "/srv/app", "entryPoint": ["sh", "-c"],
               "command": ["echo \\"$MODE $TOKEN $HOME $(id -u):$(id -g) $(pwd)\\"; echo $AWS_EXECUTION_ENV"],
               "environment": [{"name": "MODE", "value": "prod"}],
               "secrets": [{"name": "TOKEN", "valueFrom": "arn:aws:ssm:us-east-1:000000000000:parameter/token"}]}
            ]}
            """
        let run = try TaskRunSupport.run(json) {
            $0.environmentFiles["app"] = EnvironmentFile(variables: [.init(name: "TOKEN", value: "s3cret")])
        }
        #expect(run.status == 0)
        #expect(run.output.lines(of: "app") == ["prod s3cret /home/app 1000:1000 /srv/app", "AWS_ECS_FARGATE"])
    }

    @Test func aStopRequestStopsTheTaskAndLeavesNothingBehind() throws {
        let stop = TaskStopSignal()
        let json = """
            {"family": "interrupted", "containerDefinitions": [
              {"name": "app", "image": "busybox", "entryPoint": ["sh", "-c"],
               "command": ["trap 'echo bye; exit 42' TERM; echo ready; while :; do sleep 1; done"]}
            ]}
            """
        let output = StoppingOutput(stop: stop, trigger: "ready")
        let root = try TaskRunSupport.makeBusyboxRoot()
        defer { TaskRunSupport.removeRoot(root) }
        var configuration = TaskRunConfiguration()
        configuration.roots["app"] = root
        let plan = try TaskRunner.plan(definition: try TaskDefinition.parse(json), configuration: configuration)
        let status = try TaskRunner(plan: plan, output: output, stopSignal: stop).run()
        #expect(status == 42)
        #expect(output.collected.lines(of: "app") == ["ready", "bye"])
        #expect(output.collected.events.contains("stopping the task: stop requested"))
        #expect(!TaskRunSupport.exists(plan.staging))
    }

    @Test func forwardedAndPublishedPortsCrossTheTasksNetworkNamespace() throws {
        // The host serves one line on a forwarded port; the task serves one line on a published port.
        let host = try LoopbackPeer.listen()
        let published = try LoopbackPeer.freePort()
        let json = """
            {"family": "ports", "containerDefinitions": [
              {"name": "app", "image": "busybox", "entryPoint": ["sh", "-c"],
               "command": ["nc 127.0.0.1 \(host.port); echo from-task | nc -l -p 8080; echo served"]}
            ]}
            """
        let answer = LoopbackPeer.Answer()
        let thread = LoopbackPeer.serveThenFetch(host, line: "from-host", fetchPort: published, into: answer)
        let run = try TaskRunSupport.run(json) { configuration in
            configuration.forwards = [.init(port: host.port)]
            configuration.publishes = [.init(hostPort: published, taskPort: 8080)]
        }
        pthread_join(thread, nil)
        #expect(run.status == 0)
        #expect(run.output.lines(of: "app") == ["from-host", "served"])
        #expect(answer.text == "from-task\n")
    }

    @Test func aMissingProgramExitsWith127() throws {
        let json = #"{"family": "missing", "containerDefinitions": [{"name": "app", "image": "busybox", "command": ["/no/such/program"]}]}"#
        let run = try TaskRunSupport.run(json)
        #expect(run.status == 127)
        #expect(run.output.events.contains { $0.contains("could not start: exec /no/such/program") })
    }

    @Test func withoutARootAContainerWritesToACopyOfTheHostsRoot() throws {
        let marker = "/etc/scute-task-test-\(getpid())"
        let json = """
            {"family": "host", "containerDefinitions": [
              {"name": "app", "image": "host", "entryPoint": ["/bin/sh", "-c"], "command": ["echo x > \(marker) && cat \(marker) && echo pid $$"]}
            ]}
            """
        let run = try TaskRunSupport.run(json) { $0.roots["app"] = nil }
        #expect(run.status == 0)
        #expect(run.output.lines(of: "app") == ["x", "pid 1"])
        #expect(!TaskRunSupport.exists(marker))
    }
}

/// Requests the stop when a container prints `trigger` (Ctrl-C once the task runs).
private final class StoppingOutput: TaskOutput {
    let collected = CollectingTaskOutput()
    let stop: TaskStopSignal
    let trigger: String

    init(stop: TaskStopSignal, trigger: String) {
        self.stop = stop
        self.trigger = trigger
    }

    func line(container: String, stream: TaskStream, text: String) {
        collected.line(container: container, stream: stream, text: text)
        if text == trigger { stop.request() }
    }

    func event(_ message: String) { collected.event(message) }
}
