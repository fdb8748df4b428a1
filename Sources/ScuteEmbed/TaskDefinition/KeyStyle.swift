/// How a task definition spells its keys: the ECS API's camelCase (`containerDefinitions`, `entryPoint`) or
/// CloudFormation's PascalCase (`ContainerDefinitions`, `EntryPoint`).
public enum KeyStyle: Sendable, Equatable {
    case api
    case cloudFormation

    /// The key for an ECS API field name in this style.
    public func key(_ apiName: String) -> String {
        switch self {
        case .api:
            return apiName
        case .cloudFormation:
            guard let first = apiName.first else { return apiName }
            return first.uppercased() + apiName.dropFirst()
        }
    }
}
