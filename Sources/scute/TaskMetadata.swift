import AsyncHTTPClient
import Dispatch
import Foundation
import NIOCore

/// The task this sidecar runs in, from the ECS task metadata endpoint v4 (`$ECS_CONTAINER_METADATA_URI_V4/task`),
/// which Fargate serves to every container of a task.
struct TaskMetadata: Decodable, Equatable {
    var taskARN: String
    var family: String
    var revision: String?
    var cluster: String?
    var availabilityZone: String?

    enum CodingKeys: String, CodingKey {
        case taskARN = "TaskARN"
        case family = "Family"
        case revision = "Revision"
        case cluster = "Cluster"
        case availabilityZone = "AvailabilityZone"
    }

    /// The task ID: the last part of the task ARN (what the console shows as the defender's host).
    var taskID: String { taskARN.split(separator: "/").last.map(String.init) ?? taskARN }

    /// Reads the endpoint named by ECS_CONTAINER_METADATA_URI_V4; nil (with the reason on standard error)
    /// when it is not set, does not answer within `timeout` seconds, or answers something else.
    static func fetch(environment: [String: String], timeout: Int64 = 3) -> TaskMetadata? {
        guard let base = environment["ECS_CONTAINER_METADATA_URI_V4"], !base.isEmpty else { return nil }
        let url = base.hasSuffix("/") ? base + "task" : base + "/task"
        let result = Box()
        let done = DispatchSemaphore(value: 0)
        Task {
            defer { done.signal() }
            do {
                let request = HTTPClientRequest(url: url)
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeout))
                let body = try await response.body.collect(upTo: 1 << 20)
                // Anything but the task's JSON (an error page, another status) fails to decode, and says so.
                result.metadata = try JSONDecoder().decode(TaskMetadata.self, from: Data(String(buffer: body).utf8))
            } catch {
                result.error = "\(error)"
            }
        }
        done.wait()
        if let error = result.error { FileIO.printError("scute sidecar: task metadata from \(url): \(error)") }
        return result.metadata
    }

    private final class Box: @unchecked Sendable {
        var metadata: TaskMetadata?
        var error: String?
    }
}
