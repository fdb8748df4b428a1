import ScuteCore

/// Answers a request to the task metadata endpoint: `/v4/<id>` (the container), `/v4/<id>/task`,
/// `/v4/<id>/taskWithTags`, `/v4/<id>/stats`, `/v4/<id>/task/stats`, and the same under `/v3`.
package enum MetadataRouter {
    package struct Response: Sendable, Equatable {
        package var status: Int
        package var body: String
    }

    /// The response to a GET of `path` (query string allowed). `stats` gives a container's statistics.
    package static func respond(to path: String, task: TaskStatus, stats: (ContainerStatus) -> JSONValue) -> Response {
        let route = path.split(separator: "?", maxSplits: 1).first ?? ""
        let parts = route.split(separator: "/").map(String.init)
        guard parts.count >= 2, parts[0] == "v4" || parts[0] == "v3" else {
            return error(404, "no such path: use \(path.hasPrefix("/v3") ? "/v3" : "/v4")/<container id>")
        }
        guard let container = task.container(id: parts[1]) else {
            return error(404, "no container with ID \(parts[1]) in this task")
        }
        let rest = Array(parts.dropFirst(2))
        let document: JSONValue
        switch rest {
        case []: document = MetadataDocuments.container(container, task: task)
        case ["task"], ["taskWithTags"]: document = MetadataDocuments.task(task)
        case ["stats"]: document = stats(container)
        case ["task", "stats"]:
            document = .object(JSONObject(members: task.containers.map { .init(key: $0.dockerID, value: stats($0)) }))
        default: return error(404, "no such path: \(route)")
        }
        return Response(status: 200, body: document.serialized(.indented("  ")))
    }

    private static func error(_ status: Int, _ message: String) -> Response {
        let body: JSONValue = ["error": .string(message)]
        return Response(status: status, body: body.serialized(.compact))
    }
}
