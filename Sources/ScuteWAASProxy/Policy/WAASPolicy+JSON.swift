import ScuteWAAS

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension WAASPolicy {
    /// Reads a policy from JSON (see docs/waas.md); unknown keys, categories and effects are errors.
    package init(json bytes: [UInt8]) throws(WAASPolicyError) {
        let document: PolicyDocument
        do {
            document = try JSONDecoder().decode(PolicyDocument.self, from: Data(bytes))
        } catch let error as WAASPolicyError {
            throw error
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw .invalid(Self.keyPath(context.codingPath), "wrong type (\(context.debugDescription))")
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw .invalid(Self.keyPath(context.codingPath), context.debugDescription)
        } catch {
            throw .syntax("\(error)")
        }
        try self.init(document: document)
    }

    private init(document: PolicyDocument) throws(WAASPolicyError) {
        self.init()
        if let value = document.defaultEffect { defaultEffect = try Self.effect(value, key: "defaultEffect") }
        for (name, value) in document.effects ?? [:] {
            guard let category = WAASCategory(rawValue: name) else {
                let known = WAASCategory.allCases.map(\.rawValue).joined(separator: ", ")
                throw .invalid("effects.\(name)", "unknown category (known: \(known))")
            }
            effects[category] = try Self.effect(value, key: "effects.\(name)")
        }
        for (index, exception) in (document.exceptions ?? []).enumerated() {
            exceptions.append(try exception.engineException(key: "exceptions[\(index)]"))
        }
        allowedMethods = document.allowedMethods.map { Set($0.map { $0.uppercased() }) }
        allowedContentTypes = document.allowedContentTypes.map { Set($0.map { $0.lowercased() }) }
        if let limit = document.bodyInspectionLimit {
            guard limit >= 0, limit <= 16 * 1024 * 1024 else { throw .invalid("bodyInspectionLimit", "must be 0 to 16777216 bytes") }
            bodyInspectionLimit = limit
        }
        if let seconds = document.banSeconds {
            guard seconds > 0, seconds <= 86_400 * 30 else { throw .invalid("banSeconds", "must be 1 to 2592000 seconds") }
            banSeconds = seconds
        }
        if let source = document.clientAddress {
            guard let parsed = ClientAddressSource(rawValue: source) else {
                throw .invalid("clientAddress", "must be \"peer\" or \"x-forwarded-for\"")
            }
            clientAddress = parsed
        }
    }

    private static func effect(_ value: String, key: String) throws(WAASPolicyError) -> WAASEffect {
        guard let effect = WAASEffect(rawValue: value) else {
            throw .invalid(key, "unknown effect \"\(value)\" (disable, alert, prevent or ban)")
        }
        return effect
    }

    static func keyPath(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text
    }
}

/// The policy file as written; every key optional.
private struct PolicyDocument: Decodable {
    var defaultEffect: String?
    var effects: [String: String]?
    var exceptions: [ExceptionDocument]?
    var allowedMethods: [String]?
    var allowedContentTypes: [String]?
    var bodyInspectionLimit: Int?
    var banSeconds: Int?
    var clientAddress: String?

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case defaultEffect, effects, exceptions, allowedMethods, allowedContentTypes, bodyInspectionLimit, banSeconds, clientAddress
    }

    init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, allowed: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        defaultEffect = try container.decodeIfPresent(String.self, forKey: .defaultEffect)
        effects = try container.decodeIfPresent([String: String].self, forKey: .effects)
        exceptions = try container.decodeIfPresent([ExceptionDocument].self, forKey: .exceptions)
        allowedMethods = try container.decodeIfPresent([String].self, forKey: .allowedMethods)
        allowedContentTypes = try container.decodeIfPresent([String].self, forKey: .allowedContentTypes)
        bodyInspectionLimit = try container.decodeIfPresent(Int.self, forKey: .bodyInspectionLimit)
        banSeconds = try container.decodeIfPresent(Int.self, forKey: .banSeconds)
        clientAddress = try container.decodeIfPresent(String.self, forKey: .clientAddress)
    }
}

/// One exception as written: every condition optional, all given ones must match.
private struct ExceptionDocument: Decodable {
    var path: String?
    var pathPrefix: String?
    var locations: [String]?
    var rules: [String]?
    var categories: [String]?

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case path, pathPrefix, locations, rules, categories
    }

    init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, allowed: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decodeIfPresent(String.self, forKey: .path)
        pathPrefix = try container.decodeIfPresent(String.self, forKey: .pathPrefix)
        locations = try container.decodeIfPresent([String].self, forKey: .locations)
        rules = try container.decodeIfPresent([String].self, forKey: .rules)
        categories = try container.decodeIfPresent([String].self, forKey: .categories)
    }

    func engineException(key: String) throws(WAASPolicyError) -> WAASException {
        if path != nil && pathPrefix != nil { throw .invalid(key, "give path or pathPrefix, not both") }
        let match: WAASException.PathMatch = path.map { .exact($0) } ?? pathPrefix.map { .prefix($0) } ?? .any
        var parsedCategories: Set<WAASCategory> = []
        for name in categories ?? [] {
            guard let category = WAASCategory(rawValue: name) else { throw .invalid("\(key).categories", "unknown category \"\(name)\"") }
            parsedCategories.insert(category)
        }
        let known = Set(WAASRule.catalog.map(\.id))
        for rule in rules ?? [] where !known.contains(rule) {
            throw .invalid("\(key).rules", "unknown rule \"\(rule)\"")
        }
        let exception = WAASException(path: match, locations: locations ?? [], ruleIDs: Set(rules ?? []), categories: parsedCategories)
        if exception == WAASException() { throw .invalid(key, "an exception needs at least one condition") }
        return exception
    }
}

/// Refuses keys a document type does not know, so a typo is an error rather than a silently ignored setting.
private enum StrictKeys {
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static func check(_ decoder: any Decoder, allowed: [String]) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            let path = WAASPolicy.keyPath(decoder.codingPath + [key])
            throw WAASPolicyError.unknownKey(path, allowed: allowed)
        }
    }
}
