import ScuteCore
import Testing

/// Issue 14: collections of the policy model match the task family and the task ID.
@Suite struct CollectionTaskTests {
    static let app = AppIdentity(
        appID: "payments",
        image: "registry/pay:1",
        container: "web",
        taskFamily: "fargate-task-prod",
        taskID: "0123456789abcdef0123456789abcdef"
    )

    @Test(arguments: [
        (Collection(taskFamilies: ["fargate-task*"]), true),
        (Collection(taskFamilies: ["fargate-task"]), false),
        (Collection(taskFamilies: ["batch*", "*-prod"]), true),
        (Collection(taskIDs: ["0123456789abcdef0123456789abcdef"]), true),
        (Collection(taskIDs: ["0123*"]), true),
        (Collection(taskIDs: ["ffff*"]), false),
        (Collection(appIDs: ["pay*"], taskFamilies: ["fargate-task*"], taskIDs: ["0123*"]), true),
        (Collection(appIDs: ["shop*"], taskFamilies: ["fargate-task*"]), false),
        (Collection(taskFamilies: ["fargate-task*"], taskIDs: ["ffff"]), false),
        (Collection(), true),
    ])
    func taskFieldsMatchLikeTheOthers(collection: ScuteCore.Collection, matches: Bool) {
        #expect(collection.matches(Self.app) == matches)
    }

    @Test func emptyTaskFieldsMatchAnAppOutsideATask() {
        let outside = AppIdentity(appID: "payments")
        #expect(Collection(appIDs: ["pay*"]).matches(outside))
        #expect(!Collection(taskFamilies: ["*-prod"]).matches(outside))
        #expect(Collection(taskIDs: ["*"]).matches(outside))
    }

    @Test(arguments: [
        ("arn:aws:ecs:eu-west-1:123456789012:task/prod/0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"),
        ("arn:aws:ecs:eu-west-1:123456789012:task/0123abc", "0123abc"),
        ("0123abc", "0123abc"),
        ("", ""),
    ])
    func theTaskIDIsTheLastPartOfTheARN(arn: String, id: String) {
        #expect(AppIdentity.taskID(fromARN: arn) == id)
    }

    @Test func policyDocumentsReadTaskFamiliesAndTaskIDs() throws {
        let json = """
            {"rules": [
              {"name": "by-task", "collections": [{"taskFamilies": ["fargate-task*"], "taskIDs": ["0123*"]}]},
              {"name": "default"}
            ]}
            """
        let policy = try Policy.parse(json: json)
        #expect(policy.rules[0].collections == [Collection(taskFamilies: ["fargate-task*"], taskIDs: ["0123*"])])
        #expect(policy.rule(for: Self.app)?.name == "by-task")
        var other = Self.app
        other.taskID = "ffff"
        #expect(policy.rule(for: other)?.name == "default")
        let yaml = """
            rules:
              - name: by-family
                collections:
                  - taskFamilies: ["fargate-task*"]
                    taskIDs: ["0123456789abcdef0123456789abcdef"]
            """
        let fromYAML = try Policy.parse(text: yaml)
        #expect(fromYAML.rules[0].collections == [Collection(taskFamilies: ["fargate-task*"], taskIDs: ["0123456789abcdef0123456789abcdef"])])
    }

    @Test(arguments: [
        (#"{"rules": [{"name": "r", "collections": [{"taskIDs": "abc"}]}]}"#, "rules[0].collections[0].taskIDs"),
        (#"{"rules": [{"name": "r", "collections": [{"taskFamilies": ["a", 1]}]}]}"#, "rules[0].collections[0].taskFamilies[1]"),
        (#"{"rules": [{"name": "r", "collections": [{"taskArns": ["a"]}]}]}"#, "rules[0].collections[0].taskArns"),
    ])
    func badTaskFieldsAreErrorsNamingTheField(json: String, field: String) {
        #expect(throws: PolicyError.self) { try Policy.parse(json: json) }
        do {
            _ = try Policy.parse(json: json)
        } catch {
            #expect(error.field == field, "\(error)")
        }
    }
}
