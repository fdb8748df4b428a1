import ScuteTask
import Testing

@Suite("Task definition parsing")
struct TaskDefinitionTests {
    static let sample = """
        {
          "family": "shop",
          "cpu": "512",
          "memory": "1 GB",
          "networkMode": "awsvpc",
          "containerDefinitions": [
            {
              "name": "web", "image": "nginx:1.27",
              "entryPoint": ["nginx"], "command": ["-g", "daemon off;"],
              "environment": [{"name": "MODE", "value": "prod"}],
              "secrets": [{"name": "TOKEN", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/token"}],
              "dependsOn": [{"containerName": "init", "condition": "SUCCESS"}, {"containerName": "side", "condition": "HEALTHY"}],
              "mountPoints": [{"sourceVolume": "data", "containerPath": "/data", "readOnly": true}],
              "user": "101:101", "workingDirectory": "/srv", "stopTimeout": 10,
              "linuxParameters": {"capabilities": {"add": ["SYS_PTRACE"], "drop": ["NET_RAW"]}},
              "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/shop"}}
            },
            {"name": "init", "image": "busybox", "essential": false, "command": ["true"]},
            {
              "name": "side", "image": "busybox", "command": ["sleep", "1000"],
              "healthCheck": {"command": ["CMD-SHELL", "test -f /ready"], "interval": 5, "retries": 2, "startPeriod": 10},
              "volumesFrom": [{"sourceContainer": "web", "readOnly": true}]
            }
          ],
          "volumes": [{"name": "data"}, {"name": "logs", "host": {"sourcePath": "/var/log"}}]
        }
        """

    @Test func readsTheFieldsARunNeeds() throws {
        let definition = try TaskDefinition.parse(Self.sample)
        #expect(definition.family == "shop")
        #expect(definition.revision == 1)
        #expect(definition.cpu == "512")
        #expect(definition.memory == "1 GB")
        #expect(definition.containers.map(\.name) == ["web", "init", "side"])
        let web = try #require(definition.container(named: "web"))
        #expect(web.entryPoint == ["nginx"])
        #expect(web.command == ["-g", "daemon off;"])
        #expect(web.environment == [EnvironmentVariable(name: "MODE", value: "prod")])
        #expect(web.secrets.map(\.name) == ["TOKEN"])
        #expect(web.dependsOn.map(\.condition) == [.success, .healthy])
        #expect(web.mountPoints.first?.readOnly == true)
        #expect(web.user == "101:101")
        #expect(web.stopTimeout == 10)
        #expect(web.capabilitiesAdd == ["SYS_PTRACE"])
        #expect(web.capabilitiesDrop == ["NET_RAW"])
        #expect(web.logDriver == "awslogs")
        let side = try #require(definition.container(named: "side"))
        #expect(side.healthCheck?.argv == ["/bin/sh", "-c", "test -f /ready"])
        #expect(side.healthCheck?.interval == 5)
        #expect(side.healthCheck?.timeout == 5)
        #expect(side.healthCheck?.retries == 2)
        #expect(side.volumesFrom.first?.sourceContainer == "web")
        #expect(definition.volumes == [Volume(name: "data"), Volume(name: "logs", hostPath: "/var/log")])
        #expect(definition.container(named: "init")?.essential == false)
    }

    @Test func acceptsDescribeTaskDefinitionOutput() throws {
        let text = """
            {"taskDefinition": {"family": "f", "revision": 7, "containerDefinitions": [{"name": "a", "image": "i", "command": ["x"]}]},
             "tags": []}
            """
        let definition = try TaskDefinition.parse(text)
        #expect(definition.family == "f")
        #expect(definition.revision == 7)
    }

    @Test(arguments: [
        ("[]", "must be a JSON object"),
        (#"{"containerDefinitions": [{"name": "a", "image": "i"}]}"#, "family is missing"),
        (#"{"family": "f", "containerDefinitions": []}"#, "containerDefinitions is missing or empty"),
        (#"{"family": "f", "containerDefinitions": [{"name": "a"}]}"#, "containerDefinitions[0].image is missing"),
        (#"{"family": "f", "containerDefinitions": [{"name": "a", "image": "i", "essential": "yes"}]}"#, "essential: expected true or false"),
        (
            #"{"family": "f", "containerDefinitions": [{"name": "a", "image": "i"}, {"name": "a", "image": "i"}]}"#,
            "two containers are named a"
        ),
        (#"{"family": "f", "containerDefinitions": [{"name": "a", "image": "i", "essential": false}]}"#, "no container is essential"),
        (
            #"{"family": "f", "containerDefinitions": [{"name": "a", "image": "i", "dependsOn": [{"containerName": "b", "condition": "START"}]}]}"#,
            "depends on b, which is not another container"
        ),
        (
            #"{"family": "f", "containerDefinitions": [{"name": "a", "image": "i", "dependsOn": [{"containerName": "b", "condition": "SUCCESS"}]}, {"name": "b", "image": "i"}]}"#,
            "needs b to be non-essential"
        ),
        (
            #"{"family": "f", "containerDefinitions": [{"name": "a", "image": "i", "dependsOn": [{"containerName": "b", "condition": "HEALTHY"}]}, {"name": "b", "image": "i"}]}"#,
            "b has no healthCheck"
        ),
        (
            #"{"family": "f", "containerDefinitions": [{"name": "a", "image": "i", "dependsOn": [{"containerName": "b", "condition": "LATER"}]}, {"name": "b", "image": "i"}]}"#,
            "LATER is not one of START, COMPLETE, SUCCESS, HEALTHY"
        ),
        (
            #"{"family": "f", "containerDefinitions": [{"name": "a", "image": "i", "dependsOn": [{"containerName": "b", "condition": "START"}]}, {"name": "b", "image": "i", "dependsOn": [{"containerName": "a", "condition": "START"}]}]}"#,
            "cycle: a -> b -> a"
        ),
        (
            #"{"family": "f", "containerDefinitions": [{"name": "a", "image": "i", "mountPoints": [{"sourceVolume": "v", "containerPath": "/v"}]}]}"#,
            "mounts volume v, which the task does not define"
        ),
        (
            #"{"family": "f", "volumes": [{"name": "v"}], "containerDefinitions": [{"name": "a", "image": "i", "mountPoints": [{"sourceVolume": "v", "containerPath": "v"}]}]}"#,
            "v is not an absolute path"
        ),
        (#"{"family": "f", "containerDefinitions": [{"name": "a", "image": "i", "stopTimeout": 300}]}"#, "between 0 and 120 seconds"),
        (
            #"{"family": "f", "containerDefinitions": [{"name": "a", "image": "i", "healthCheck": {"command": ["CMD", "true"], "interval": 1}}]}"#,
            "healthCheck.interval must be between 5 and 300, found 1"
        ),
        (
            #"{"family": "f", "containerDefinitions": [{"name": "a", "image": "i", "healthCheck": {"command": ["true"]}}]}"#,
            "healthCheck.command must be"
        ),
    ])
    func refusesWhatECSWouldRefuse(text: String, message: String) {
        #expect {
            _ = try TaskDefinition.parse(text)
        } throws: { error in
            guard let error = error as? TaskError else { return false }
            return error.isDefinitionError && error.message.contains(message)
        }
    }

    @Test func imageConfigurationFromDockerInspect() throws {
        let text = """
            [{"Id": "sha256:abc", "Config": {"Entrypoint": ["/entry.sh"], "Cmd": ["serve"], "Env": ["PATH=/opt/bin:/bin", "LANG=C"],
              "WorkingDir": "/app", "User": "app"}}]
            """
        let image = try ImageConfiguration.parse(text, source: "img.json")
        #expect(image.entrypoint == ["/entry.sh"])
        #expect(image.cmd == ["serve"])
        #expect(image.env == ["PATH=/opt/bin:/bin", "LANG=C"])
        #expect(image.workingDir == "/app")
        #expect(image.user == "app")
        #expect(image.id == "sha256:abc")
        #expect(throws: TaskError.self) { try ImageConfiguration.parse("[1, 2]", source: "x") }
    }
}
