/// How package names compare within a family: PyPI names are normalised per PEP 503 (`Foo_Bar.baz` is
/// `foo-bar-baz`); every other family compares names exactly (npm, Go module paths and Maven coordinates are
/// case-sensitive; distribution package names are lower case already).
enum PackageName {
    static func normalized(_ name: String, in family: OSVEcosystem.Family) -> String {
        switch family {
        case .pypi: pep503(name)
        default: name
        }
    }

    static func pep503(_ name: String) -> String {
        var result: [UInt8] = []
        result.reserveCapacity(name.utf8.count)
        var inSeparator = false
        for byte in name.utf8 {
            if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") {
                if !inSeparator { result.append(UInt8(ascii: "-")) }
                inSeparator = true
            } else {
                result.append(ASCII.lowercased(byte))
                inSeparator = false
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}
