/// A `KEY=VALUE` file, as ECS reads environment files: one variable a line, blank lines and lines starting
/// with `#` skipped, the value taken verbatim after the first `=` (no quoting, no expansion).
package struct EnvironmentFile: Sendable, Equatable {
    package private(set) var variables: [EnvironmentVariable]

    package init(variables: [EnvironmentVariable]) {
        self.variables = variables
    }

    /// Parses the file's text; `source` names the file in errors.
    package static func parse(_ text: String, source: String) throws(TaskError) -> EnvironmentFile {
        var variables: [EnvironmentVariable] = []
        // "\r\n" is one Character in Swift: split on both line ends.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (index, line) in lines.enumerated() {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) || line.first == "#" { continue }
            guard let equals = line.firstIndex(of: "="), equals != line.startIndex else {
                throw .option("\(source), line \(index + 1): expected KEY=VALUE")
            }
            variables.append(EnvironmentVariable(name: String(line[..<equals]), value: String(line[line.index(after: equals)...])))
        }
        return EnvironmentFile(variables: variables)
    }

    /// The value of the last line that sets `name`.
    package func value(of name: String) -> String? {
        variables.last { $0.name == name }?.value
    }
}
