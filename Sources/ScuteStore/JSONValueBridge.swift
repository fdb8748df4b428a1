import ScuteCore

enum JSONValueBridge {
    static func encode(_ values: [String]) -> String {
        JSONValue.strings(values).serialized(.compact)
    }

    static func decode(_ text: String) -> [String] {
        (try? JSONValue.parse(text))?.stringArrayValue ?? []
    }

    static func parse(_ text: String) -> JSONValue {
        (try? JSONValue.parse(text)) ?? .null
    }
}
