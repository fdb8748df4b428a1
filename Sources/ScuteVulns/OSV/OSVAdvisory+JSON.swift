extension OSVAdvisory {
    /// Reads the OSV records in a JSON document: one record (an object) or an array of records. Throws `VulnsError`.
    package static func records(fromJSON bytes: UnsafeRawBufferPointer) throws -> [OSVAdvisory] {
        var reader = JSONReader(bytes)
        do {
            var records: [OSVAdvisory] = []
            if try reader.peek() == .array {
                try reader.beginArray()
                while try reader.nextElement() { records.append(try OSVRecordReader.record(&reader)) }
            } else {
                records.append(try OSVRecordReader.record(&reader))
            }
            try reader.end()
            return records
        } catch let error as JSONReader.SyntaxError {
            throw VulnsError.invalidJSON(offset: error.offset, expected: error.expected)
        } catch let error as VulnsError {
            throw error
        } catch {
            throw VulnsError.invalidJSON(offset: reader.offset, expected: "\(error)")
        }
    }

    /// Reads the OSV records in a JSON document held in `bytes`. Throws `VulnsError`.
    package static func records(fromJSON bytes: [UInt8]) throws -> [OSVAdvisory] {
        try bytes.withUnsafeBytes { try records(fromJSON: $0) }
    }
}

/// The walk over one OSV record; unknown fields are skipped, known ones type-checked with the field's path.
private enum OSVRecordReader {
    static func record(_ reader: inout JSONReader) throws -> OSVAdvisory {
        try object(&reader, "record")
        var id: String?
        var advisory = OSVAdvisory(id: "", modified: "", affected: [])
        while let key = try reader.nextKey() {
            if key.is("id") {
                id = try string(&reader, "id")
            } else if key.is("modified") {
                advisory.modified = try string(&reader, "modified")
            } else if key.is("withdrawn") {
                advisory.withdrawn = try reader.optionalString()
            } else if key.is("aliases") {
                advisory.aliases = try strings(&reader, "aliases")
            } else if key.is("severity") {
                advisory.severity = try severities(&reader, "severity")
            } else if key.is("database_specific") {
                advisory.databaseSeverity = try severityInside(&reader)
            } else if key.is("affected") {
                try array(&reader, "affected")
                while try reader.nextElement() { advisory.affected.append(try affected(&reader)) }
            } else {
                try reader.skip()
            }
        }
        guard let id, !id.isEmpty else { throw VulnsError.missingField("id") }
        advisory.id = id
        return advisory
    }

    private static func affected(_ reader: inout JSONReader) throws -> OSVAffected {
        try object(&reader, "affected[]")
        var entry = OSVAffected(ecosystem: "", name: "")
        while let key = try reader.nextKey() {
            if key.is("package") {
                try object(&reader, "affected[].package")
                while let field = try reader.nextKey() {
                    if field.is("ecosystem") {
                        entry.ecosystem = try string(&reader, "affected[].package.ecosystem")
                    } else if field.is("name") {
                        entry.name = try string(&reader, "affected[].package.name")
                    } else if field.is("purl") {
                        entry.purl = try reader.optionalString()
                    } else {
                        try reader.skip()
                    }
                }
            } else if key.is("ranges") {
                try array(&reader, "affected[].ranges")
                while try reader.nextElement() { entry.ranges.append(try range(&reader)) }
            } else if key.is("versions") {
                entry.versions = try strings(&reader, "affected[].versions")
            } else if key.is("severity") {
                entry.severity = try severities(&reader, "affected[].severity")
            } else if key.is("database_specific") || key.is("ecosystem_specific") {
                if let severity = try severityInside(&reader) { entry.databaseSeverity = severity }
            } else {
                try reader.skip()
            }
        }
        return entry
    }

    private static func range(_ reader: inout JSONReader) throws -> OSVRange {
        try object(&reader, "affected[].ranges[]")
        var range = OSVRange(type: "", events: [])
        while let key = try reader.nextKey() {
            if key.is("type") {
                range.type = try string(&reader, "affected[].ranges[].type")
            } else if key.is("events") {
                try array(&reader, "affected[].ranges[].events")
                while try reader.nextElement() {
                    try object(&reader, "affected[].ranges[].events[]")
                    while let kind = try reader.nextKey() {
                        guard let event = eventKind(kind) else {
                            try reader.skip()
                            continue
                        }
                        range.events.append(OSVEvent(event, try string(&reader, "affected[].ranges[].events[].\(event.rawValue)")))
                    }
                }
            } else {
                try reader.skip()
            }
        }
        guard !range.type.isEmpty else { throw VulnsError.missingField("affected[].ranges[].type") }
        return range
    }

    private static func eventKind(_ key: UnsafeRawBufferPointer) -> OSVEvent.Kind? {
        if key.is("introduced") { return .introduced }
        if key.is("fixed") { return .fixed }
        if key.is("last_affected") { return .lastAffected }
        if key.is("limit") { return .limit }
        return nil
    }

    private static func severities(_ reader: inout JSONReader, _ field: @autoclosure () -> String) throws -> [OSVSeverity] {
        if try reader.peek() == .null {
            try reader.skip()
            return []
        }
        try array(&reader, field())
        var result: [OSVSeverity] = []
        while try reader.nextElement() {
            try object(&reader, "\(field())[]")
            var severity = OSVSeverity(type: "", score: "")
            while let key = try reader.nextKey() {
                if key.is("type") {
                    severity.type = try string(&reader, "\(field())[].type")
                } else if key.is("score") {
                    severity.score = try string(&reader, "\(field())[].score")
                } else {
                    try reader.skip()
                }
            }
            result.append(severity)
        }
        return result
    }

    /// The `severity` string inside a `database_specific` or `ecosystem_specific` object, if any.
    private static func severityInside(_ reader: inout JSONReader) throws -> String? {
        guard try reader.peek() == .object else {
            try reader.skip()
            return nil
        }
        try reader.beginObject()
        var severity: String?
        while let key = try reader.nextKey() {
            if key.is("severity"), try reader.peek() == .string {
                severity = try reader.string()
            } else {
                try reader.skip()
            }
        }
        return severity
    }

    private static func object(_ reader: inout JSONReader, _ field: @autoclosure () -> String) throws {
        guard try reader.peek() == .object else { throw VulnsError.wrongType(field: field(), expected: "an object") }
        try reader.beginObject()
    }

    private static func array(_ reader: inout JSONReader, _ field: @autoclosure () -> String) throws {
        guard try reader.peek() == .array else { throw VulnsError.wrongType(field: field(), expected: "an array") }
        try reader.beginArray()
    }

    private static func string(_ reader: inout JSONReader, _ field: @autoclosure () -> String) throws -> String {
        guard try reader.peek() == .string else { throw VulnsError.wrongType(field: field(), expected: "a string") }
        return try reader.string()
    }

    private static func strings(_ reader: inout JSONReader, _ field: @autoclosure () -> String) throws -> [String] {
        if try reader.peek() == .null {
            try reader.skip()
            return []
        }
        try array(&reader, field())
        var result: [String] = []
        while try reader.nextElement() { result.append(try string(&reader, "\(field())[]")) }
        return result
    }
}
