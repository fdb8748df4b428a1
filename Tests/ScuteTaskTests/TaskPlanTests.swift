import ScuteTask
import Testing

@Suite("Resolving a task for launch")
struct TaskPlanTests {
    static let passwd = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nnobody:x:65534:65534::/nonexistent:/bin/false\n"
    static let group = "root:x:0:\nwheel:x:10:app,other\napp:x:1000:\nstaff:x:50:app\n"

    static func plan(
        _ json: String,
        configure: (inout TaskRunConfiguration) -> Void = { _ in }
    ) throws -> TaskPlan {
        let definition = try TaskDefinition.parse(json)
        var configuration = TaskRunConfiguration()
        configure(&configuration)
        let count = definition.containers.count
        let identity = TaskIdentity(
            taskID: "0123456789abcdef0123456789abcdef",
            configuration: configuration,
            containerCount: count,
            numbers: Array(repeating: 1_234_567_890, count: count).enumerated().map { UInt32($0.offset) + $0.element },
            uuids: (0..<count).map { "uuid-\($0)" }
        )
        return try TaskPlan.make(
            definition: definition,
            configuration: configuration,
            identity: identity,
            staging: "/state/task",
            readFile: { path in
                switch path {
                case "/etc/passwd", "/roots/app/etc/passwd": return passwd
                case "/etc/group", "/roots/app/etc/group": return group
                default: return nil
                }
            },
            isDirectory: { $0 == "/" || $0.hasPrefix("/roots/") },
            isFile: { $0.hasPrefix("/usr/local/bin/") }
        )
    }

    static func task(_ container: String, volumes: String = "[]") -> String {
        #"{"family": "f", "volumes": \#(volumes), "containerDefinitions": [\#(container)]}"#
    }

    @Test(arguments: [
        // entryPoint and command in the task: both used, the image's CMD is not.
        (#""entryPoint": ["sh", "-c"], "command": ["echo hi"]"#, ["sh", "-c", "echo hi"]),
        // entryPoint alone: the image's CMD is dropped, as Docker does when the entry point is replaced.
        (#""entryPoint": ["/bin/run"]"#, ["/bin/run"]),
        // command alone: after the image's ENTRYPOINT.
        (#""command": ["--port", "80"]"#, ["/entry.sh", "--port", "80"]),
        // neither: the image's ENTRYPOINT and CMD.
        ("", ["/entry.sh", "serve"]),
    ])
    func composesTheProgramAsECSDoes(fields: String, argv: [String]) throws {
        let comma = fields.isEmpty ? "" : ", "
        let plan = try Self.plan(Self.task(#"{"name": "a", "image": "img"\#(comma)\#(fields)}"#)) {
            $0.imageConfigurations["img"] = ImageConfiguration(entrypoint: ["/entry.sh"], cmd: ["serve"])
        }
        #expect(plan.containers[0].argv == argv)
    }

    @Test func aContainerWithoutAnyCommandNeedsItsImage() {
        #expect {
            _ = try Self.plan(Self.task(#"{"name": "a", "image": "img"}"#))
        } throws: { error in
            (error as? TaskError)?.message.contains("--image-config a=FILE or --image-command img=COMMAND") == true
        }
    }

    @Test func imageCommandStandsInForTheImageAndIsMountedWhereItIs() throws {
        let plan = try Self.plan(Self.task(#"{"name": "side", "image": "scutesec/sidecar:0.1.0"}"#)) {
            $0.imageCommands["scutesec/sidecar:0.1.0"] = ["/usr/local/bin/scute", "sidecar"]
            $0.imageFiles["side"] = [.init(hostPath: "/build/scute", containerPath: "/usr/local/bin/scute")]
        }
        let launch = plan.containers[0]
        #expect(launch.argv == ["/usr/local/bin/scute", "sidecar"])
        #expect(launch.mounts.contains(.init(source: "/build/scute", target: "/usr/local/bin/scute", isFile: true, readOnly: true)))
        #expect(launch.mounts.contains(.init(source: "/usr/local/bin/scute", target: "/usr/local/bin/scute", isFile: true, readOnly: true)))
    }

    @Test func environmentLayersImageInjectedTaskAndSecrets() throws {
        let container = """
            {"name": "a", "image": "img", "command": ["x"],
             "environment": [{"name": "LANG", "value": "en_US.UTF-8"}, {"name": "MODE", "value": "prod"}],
             "secrets": [{"name": "TOKEN", "valueFrom": "arn:aws:secretsmanager:us-east-1:1:secret:t"}]}
            """
        let plan = try Self.plan(Self.task(container)) {
            $0.imageConfigurations["a"] = ImageConfiguration(env: ["PATH=/opt/bin:/bin", "LANG=C"])
            $0.environmentFiles["a"] = EnvironmentFile(variables: [.init(name: "TOKEN", value: "s3cr=t"), .init(name: "OTHER", value: "x")])
            $0.region = "eu-west-1"
        }
        let launch = plan.containers[0]
        #expect(launch.environmentValue("PATH") == "/opt/bin:/bin")
        #expect(launch.searchPath == "/opt/bin:/bin")
        #expect(launch.environmentValue("LANG") == "en_US.UTF-8")
        #expect(launch.environmentValue("MODE") == "prod")
        #expect(launch.environmentValue("TOKEN") == "s3cr=t")
        #expect(launch.environmentValue("OTHER") == nil)
        #expect(launch.environmentValue("HOME") == "/root")
        #expect(launch.environmentValue("AWS_REGION") == "eu-west-1")
        #expect(launch.environmentValue("AWS_EXECUTION_ENV") == "AWS_ECS_FARGATE")
        let id = plan.identity.containerIDs[0]
        #expect(launch.environmentValue("ECS_CONTAINER_METADATA_URI_V4") == "http://169.254.170.2/v4/\(id)")
        #expect(launch.environmentValue("ECS_CONTAINER_METADATA_URI") == "http://169.254.170.2/v3/\(id)")
        #expect(launch.environment.filter { $0.hasPrefix("LANG=") }.count == 1)
    }

    @Test func aSecretWithoutValueIsAnError() {
        let container = #"{"name": "a", "image": "img", "command": ["x"], "secrets": [{"name": "TOKEN", "valueFrom": "arn"}]}"#
        #expect {
            _ = try Self.plan(Self.task(container))
        } throws: { error in
            (error as? TaskError)?.message.contains("give --env-file a=FILE with a line TOKEN=VALUE") == true
        }
    }

    @Test(
        arguments: [
            (nil, Credentials(uid: 0, gid: 0, home: "/root")),
            ("app", Credentials(uid: 1000, gid: 1000, groups: [10, 50], home: "/home/app")),
            ("1000", Credentials(uid: 1000, gid: 1000, groups: [10, 50], home: "/home/app")),
            ("app:staff", Credentials(uid: 1000, gid: 50, home: "/home/app")),
            ("4242", Credentials(uid: 4242, gid: 0, home: "/")),
            ("4242:77", Credentials(uid: 4242, gid: 77, home: "/")),
            ("nobody", Credentials(uid: 65534, gid: 65534, home: "/nonexistent")),
        ] as [(String?, Credentials)]
    )
    func resolvesTheUserFromTheRootsFiles(user: String?, expected: Credentials) throws {
        let database = UserDatabase(passwd: Self.passwd, group: Self.group)
        #expect(try database.resolve(user, container: "a") == expected)
    }

    @Test func unknownUserOrGroupNamesAreErrors() {
        let database = UserDatabase(passwd: Self.passwd, group: Self.group)
        #expect(throws: TaskError.self) { try database.resolve("ghost", container: "a") }
        #expect(throws: TaskError.self) { try database.resolve("app:ghosts", container: "a") }
    }

    @Test func theUserIsLookedUpInTheContainersRoot() throws {
        let plan = try Self.plan(Self.task(#"{"name": "a", "image": "img", "command": ["x"], "user": "app"}"#)) {
            $0.roots["a"] = "/roots/app"
        }
        #expect(plan.containers[0].root == "/roots/app")
        #expect(plan.containers[0].credentials.uid == 1000)
        #expect(plan.containers[0].environmentValue("HOME") == "/home/app")
    }

    @Test func capabilitiesStartFromTheEngineDefaults() throws {
        func has(_ mask: UInt64, _ name: String) -> Bool { mask & (UInt64(1) << UInt64(Capabilities.number(of: name)!)) != 0 }
        let defaults = try Capabilities.mask(add: [], drop: [], container: "a")
        #expect(has(defaults, "CHOWN") && has(defaults, "NET_RAW") && has(defaults, "KILL"))
        #expect(!has(defaults, "SYS_PTRACE") && !has(defaults, "SYS_ADMIN") && !has(defaults, "NET_ADMIN"))
        let traced = try Capabilities.mask(add: ["SYS_PTRACE"], drop: ["NET_RAW"], container: "a")
        #expect(has(traced, "SYS_PTRACE") && !has(traced, "NET_RAW") && has(traced, "CHOWN"))
        let minimal = try Capabilities.mask(add: ["SYS_PTRACE"], drop: ["ALL"], container: "a")
        #expect(minimal == UInt64(1) << 19)
        #expect(throws: TaskError.self) { try Capabilities.mask(add: ["TIME_TRAVEL"], drop: [], container: "a") }
    }

    @Test func volumesAreSharedFoldersAndReadOnlyWhereAsked() throws {
        let containers = """
            {"name": "a", "image": "i", "command": ["x"], "mountPoints": [{"sourceVolume": "data", "containerPath": "/data"}]},
            {"name": "b", "image": "i", "command": ["x"], "essential": false, "volumesFrom": [{"sourceContainer": "a", "readOnly": true}],
             "mountPoints": [{"sourceVolume": "logs", "containerPath": "/logs"}]}
            """
        let plan = try Self.plan(Self.task(containers, volumes: #"[{"name": "data"}, {"name": "logs", "host": {"sourcePath": "/var/log"}}]"#))
        #expect(plan.volumeFolders == ["/state/task/volumes/data"])
        #expect(plan.containers[0].mounts.contains(.init(source: "/state/task/volumes/data", target: "/data", isFile: false, readOnly: false)))
        #expect(plan.containers[1].mounts.contains(.init(source: "/state/task/volumes/data", target: "/data", isFile: false, readOnly: true)))
        #expect(plan.containers[1].mounts.contains(.init(source: "/var/log", target: "/logs", isFile: false, readOnly: false)))
        #expect(plan.containers[0].mounts.contains(.init(source: "/state/task/etc/hosts", target: "/etc/hosts", isFile: true, readOnly: false)))
    }

    @Test func optionsNamingNoContainerOrImageAreErrors() {
        #expect {
            _ = try Self.plan(Self.task(#"{"name": "a", "image": "i", "command": ["x"]}"#)) { $0.roots["b"] = "/roots/b" }
        } throws: { error in
            (error as? TaskError)?.message.contains("--rootfs b: the task has no container or image of that name") == true
        }
    }

    @Test func theTaskARNUsesTheConfiguredNames() throws {
        let plan = try Self.plan(Self.task(#"{"name": "a", "image": "i", "command": ["x"]}"#)) {
            $0.cluster = "dev"
            $0.region = "eu-west-1"
            $0.account = "123456789012"
        }
        #expect(plan.identity.taskARN == "arn:aws:ecs:eu-west-1:123456789012:task/dev/0123456789abcdef0123456789abcdef")
        #expect(plan.identity.clusterARN == "arn:aws:ecs:eu-west-1:123456789012:cluster/dev")
        let random = TaskIdentity.random(configuration: TaskRunConfiguration(), containerCount: 2)
        #expect(random.taskID.count == 32 && random.taskID.allSatisfy(\.isHexDigit))
        #expect(random.containerIDs[0].hasPrefix(random.taskID + "-"))
    }

    @Test func environmentFilesAreKeyValueLines() throws {
        let file = try EnvironmentFile.parse("# comment\n\nA=1\nB=two=2\r\nA=3\n", source: "s.env")
        #expect(file.value(of: "A") == "3")
        #expect(file.value(of: "B") == "two=2")
        #expect(throws: TaskError.self) { try EnvironmentFile.parse("novalue\n", source: "s.env") }
    }
}
