import ScuteCore
import ScuteTask
import Testing

@Suite("Task metadata endpoint documents")
struct MetadataTests {
    static func status() throws -> TaskStatus {
        let json = """
            {"family": "shop", "revision": 4, "cpu": "512", "memory": "2 GB", "containerDefinitions": [
              {"name": "web", "image": "nginx:1.27", "cpu": 256, "memory": 512, "command": ["x"],
               "healthCheck": {"command": ["CMD", "true"]},
               "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/shop"}}},
              {"name": "side", "image": "busybox", "essential": false, "command": ["x"]}]}
            """
        let plan = try TaskPlanTests.plan(json)
        return TaskStatus(plan: plan, now: "2026-01-02T03:04:05.000000006Z")
    }

    @Test func taskDocumentHasTheDocumentedFields() throws {
        let task = try Self.status()
        let document = try #require(MetadataDocuments.task(task).objectValue)
        #expect(document.keys.prefix(7) == ["Cluster", "TaskARN", "Family", "Revision", "DesiredStatus", "KnownStatus", "Containers"])
        #expect(document["TaskARN"] == .string("arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef0123456789abcdef"))
        #expect(document["Cluster"] == .string("arn:aws:ecs:us-east-1:000000000000:cluster/default"))
        #expect(document["Family"] == "shop")
        #expect(document["Revision"] == "4")
        #expect(document["LaunchType"] == "FARGATE")
        #expect(document["AvailabilityZone"] == "us-east-1a")
        #expect(document["Limits"] == ["CPU": .number("0.5"), "Memory": 2048])
        #expect(document["PullStartedAt"] == "2026-01-02T03:04:05.000000006Z")
        #expect(document["Containers"]?.arrayValue?.count == 2)
    }

    @Test func containerDocumentHasTheDocumentedFields() throws {
        var task = try Self.status()
        task.containers[0].knownStatus = "RUNNING"
        task.containers[0].startedAt = "2026-01-02T03:04:06.000000000Z"
        let document = try #require(MetadataDocuments.container(task.containers[0], task: task).objectValue)
        for key in [
            "DockerId", "Name", "DockerName", "Image", "ImageID", "Labels", "DesiredStatus", "KnownStatus", "Limits", "CreatedAt", "StartedAt",
            "Type", "Networks",
        ] {
            #expect(document[key] != nil, "missing \(key)")
        }
        #expect(document["DockerId"] == .string(task.containers[0].dockerID))
        #expect(document["Name"] == "web")
        #expect(document["Image"] == "nginx:1.27")
        #expect(document["KnownStatus"] == "RUNNING")
        #expect(document["Limits"] == ["CPU": 256, "Memory": 512])
        #expect(document["Type"] == "NORMAL")
        #expect(document["Health"]?.objectValue?["status"] == "UNKNOWN")
        #expect(document["LogDriver"] == "awslogs")
        let labels = try #require(document["Labels"]?.objectValue)
        #expect(labels["com.amazonaws.ecs.task-arn"] == .string(task.taskARN))
        #expect(labels["com.amazonaws.ecs.task-definition-family"] == "shop")
        #expect(labels["com.amazonaws.ecs.task-definition-version"] == "4")
        #expect(labels["com.amazonaws.ecs.container-name"] == "web")
        let network = try #require(document["Networks"]?.arrayValue?.first?.objectValue)
        #expect(network["NetworkMode"] == "awsvpc")
    }

    @Test func routesTheVersion4Paths() throws {
        let task = try Self.status()
        let id = task.containers[1].dockerID
        func get(_ path: String) throws -> (Int, JSONValue) {
            let response = MetadataRouter.respond(to: path, task: task) { ["id": .string($0.dockerID)] }
            return (response.status, try JSONValue.parse(response.body))
        }
        #expect(try get("/v4/\(id)").1.objectValue?["Name"] == "side")
        #expect(try get("/v3/\(id)").1.objectValue?["Name"] == "side")
        #expect(try get("/v4/\(id)/task").1.objectValue?["Family"] == "shop")
        #expect(try get("/v4/\(id)/taskWithTags?x=1").1.objectValue?["Family"] == "shop")
        #expect(try get("/v4/\(id)/stats").1 == ["id": .string(id)])
        #expect(try get("/v4/\(id)/task/stats").1.objectValue?.keys == task.containers.map(\.dockerID))
        #expect(try get("/v4/nope").0 == 404)
        #expect(try get("/v4/\(id)/other").0 == 404)
        #expect(try get("/").0 == 404)
    }
}
