/// A problem with a Dockerfile or with the options of the Dockerfile embed. Names the Dockerfile line where
/// there is one.
public struct DockerfileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of problem, for callers and tests that branch on it.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Reason: String, Hashable, Sendable {
            case noStage = "no stage"
            case unknownStage = "unknown stage"
            case unterminatedHeredoc = "unterminated heredoc"
            case invalidJSON = "invalid JSON"
            case missingImageConfig = "missing image config"
            case invalidInstruction = "invalid instruction"
            case invalidDirective = "invalid parser directive"
            case invalidOption = "invalid option"
            case invalidImageConfig = "invalid image config"
        }
        fileprivate let reason: Reason

        /// No FROM, or an instruction other than ARG before the first FROM.
        public static let noStage = Code(reason: .noStage)
        /// A stage name that does not exist where it is used (`--target`, a FROM naming a later stage,
        /// `COPY --from=N` past the last stage).
        public static let unknownStage = Code(reason: .unknownStage)
        /// A heredoc whose terminator never comes.
        public static let unterminatedHeredoc = Code(reason: .unterminatedHeredoc)
        /// An exec-form (JSON) argument list that is not a valid JSON array of strings.
        public static let invalidJSON = Code(reason: .invalidJSON)
        /// The final ENTRYPOINT or CMD comes from a base image Scute cannot see.
        public static let missingImageConfig = Code(reason: .missingImageConfig)
        /// An instruction BuildKit rejects (unknown keyword, wrong arguments, bad flag).
        public static let invalidInstruction = Code(reason: .invalidInstruction)
        /// A parser directive BuildKit rejects (bad escape token, a directive given twice).
        public static let invalidDirective = Code(reason: .invalidDirective)
        /// An option of the embed that cannot be written into a Dockerfile.
        public static let invalidOption = Code(reason: .invalidOption)
        /// An `--image-config` document without a usable Entrypoint/Cmd.
        public static let invalidImageConfig = Code(reason: .invalidImageConfig)

        public var description: String { reason.rawValue }
    }

    /// The kind of problem.
    public let code: Code
    /// The 1-based Dockerfile line, when the problem has one.
    public let line: Int?
    /// A human message, without the line prefix.
    public let message: String

    init(_ code: Code, line: Int?, _ message: String) {
        self.code = code
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "Dockerfile line \(line): \(message)" }
        return message
    }
}
