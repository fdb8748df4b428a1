/// The names ECS would give a running task and its containers: the task ID and ARN, the cluster ARN, and
/// each container's runtime ID (`<task ID>-<number>`, as Fargate reports `DockerId`) and ARN.
package struct TaskIdentity: Sendable, Equatable {
    /// 32 lowercase hex digits.
    package var taskID: String
    package var clusterARN: String
    package var taskARN: String
    package var containerIDs: [String]
    package var containerARNs: [String]

    package init(taskID: String, configuration: TaskRunConfiguration, containerCount: Int, numbers: [UInt32], uuids: [String]) {
        let prefix = "arn:aws:ecs:\(configuration.region):\(configuration.account)"
        self.taskID = taskID
        self.clusterARN = "\(prefix):cluster/\(configuration.cluster)"
        self.taskARN = "\(prefix):task/\(configuration.cluster)/\(taskID)"
        self.containerIDs = (0..<containerCount).map { "\(taskID)-\(numbers[$0])" }
        self.containerARNs = (0..<containerCount).map { "\(prefix):container/\(configuration.cluster)/\(taskID)/\(uuids[$0])" }
    }

    /// A fresh identity with random IDs.
    package static func random(configuration: TaskRunConfiguration, containerCount: Int) -> TaskIdentity {
        var generator = SystemRandomNumberGenerator()
        let taskID = hex(count: 16, using: &generator)
        let numbers = (0..<containerCount).map { _ in UInt32.random(in: 1_000_000_000...3_999_999_999, using: &generator) }
        let uuids = (0..<containerCount).map { _ in
            let h = hex(count: 16, using: &generator)
            let c = Array(h)
            return "\(String(c[0..<8]))-\(String(c[8..<12]))-\(String(c[12..<16]))-\(String(c[16..<20]))-\(String(c[20..<32]))"
        }
        return TaskIdentity(taskID: taskID, configuration: configuration, containerCount: containerCount, numbers: numbers, uuids: uuids)
    }

    private static func hex(count: Int, using generator: inout SystemRandomNumberGenerator) -> String {
        let digits = Array("0123456789abcdef")
        var out = ""
        for _ in 0..<count {
            let byte = UInt8.random(in: 0...255, using: &generator)
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return out
    }
}
