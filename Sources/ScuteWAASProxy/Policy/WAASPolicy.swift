import ScuteWAAS

/// The proxy's policy: an effect per category, exceptions, what the app accepts, and how long a ban lasts.
package struct WAASPolicy: Sendable, Equatable {
    /// Where the client address used for events and bans comes from.
    package enum ClientAddressSource: String, Sendable, Equatable {
        /// The TCP peer: right when clients connect to the proxy directly.
        case peer
        /// The last `X-Forwarded-For` entry, as a load balancer in front appends it; the peer when absent.
        case forwardedFor = "x-forwarded-for"
    }

    /// The effect of categories not named in `effects`.
    package var defaultEffect: WAASEffect
    /// Per-category effects.
    package var effects: [WAASCategory: WAASEffect]
    /// Findings matching one of these are dropped before any effect.
    package var exceptions: [WAASException]
    /// Methods the app accepts (nil: the engine's default list).
    package var allowedMethods: Set<String>?
    /// Request content types the app accepts (nil: the engine's default list).
    package var allowedContentTypes: Set<String>?
    /// Body bytes buffered and inspected; the rest of a longer body is streamed to the app uninspected.
    package var bodyInspectionLimit: Int
    /// How long a client address stays refused after a finding whose effect is `ban`.
    package var banSeconds: Int
    /// Where the client address comes from.
    package var clientAddress: ClientAddressSource

    /// The policy used without a policy file: every category on, alert only.
    package init(
        defaultEffect: WAASEffect = .alert,
        effects: [WAASCategory: WAASEffect] = [:],
        exceptions: [WAASException] = [],
        allowedMethods: Set<String>? = nil,
        allowedContentTypes: Set<String>? = nil,
        bodyInspectionLimit: Int = WAASLimits().bodyInspectionLimit,
        banSeconds: Int = 300,
        clientAddress: ClientAddressSource = .peer
    ) {
        self.defaultEffect = defaultEffect
        self.effects = effects
        self.exceptions = exceptions
        self.allowedMethods = allowedMethods
        self.allowedContentTypes = allowedContentTypes
        self.bodyInspectionLimit = bodyInspectionLimit
        self.banSeconds = banSeconds
        self.clientAddress = clientAddress
    }

    /// The effect applied to findings of `category`.
    package func effect(for category: WAASCategory) -> WAASEffect {
        effects[category] ?? defaultEffect
    }

    /// The same policy with every category set to `effect` (the command line's `--effect`).
    package func overriding(effect: WAASEffect) -> WAASPolicy {
        var copy = self
        copy.defaultEffect = effect
        copy.effects = [:]
        return copy
    }

    /// The engine configuration: disabled categories off, the policy's exceptions, methods, types and limit.
    package var engineConfiguration: WAASConfiguration {
        var configuration = WAASConfiguration()
        configuration.enabledCategories = Set(WAASCategory.allCases.filter { effect(for: $0) != .disable })
        configuration.exceptions = exceptions
        if let allowedMethods { configuration.allowedMethods = allowedMethods }
        if let allowedContentTypes { configuration.allowedContentTypes = allowedContentTypes }
        configuration.limits.bodyInspectionLimit = bodyInspectionLimit
        return configuration
    }
}
