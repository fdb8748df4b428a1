import Testing

@testable import ScuteEmbed

@Suite("Dockerfile parser")
struct DockerfileParserTests {
    @Test func instructionsAreCaseInsensitiveAndKeepLines() throws {
        let file = try Dockerfile.parse("from alpine:3.20\n\nrun echo hi\nEntryPoint [\"/bin/app\"]\n")
        #expect(file.instructions.map(\.keyword) == ["FROM", "RUN", "ENTRYPOINT"])
        #expect(file.instructions.map(\.startLine) == [1, 3, 4])
        #expect(file.instructions[2].json == ["/bin/app"])
    }

    @Test func continuationsSkipCommentsAndEmptyLines() throws {
        let text = """
            FROM debian
            RUN apt-get update \\
            # a comment inside the continuation
              && apt-get install -y curl \\

                # indented comment
              && rm -rf /var/lib/apt/lists/*
            CMD ["curl"]
            """
        let file = try Dockerfile.parse(text)
        let run = file.instructions[1]
        #expect(run.keyword == "RUN")
        #expect(run.arguments == "apt-get update   && apt-get install -y curl   && rm -rf /var/lib/apt/lists/*")
        #expect(run.startLine == 2)
        #expect(run.endLine == 7)
        #expect(file.instructions[2].startLine == 8)
    }

    @Test func escapeDirectiveSwitchesToBacktick() throws {
        let text = "# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  c:\\\nCMD [\"c:\\\\app.exe\"]\n"
        let file = try Dockerfile.parse(text)
        #expect(file.escapeToken == "`")
        #expect(file.instructions[1].arguments == "dir   c:\\")
        #expect(file.instructions[2].json == ["c:\\app.exe"])
    }

    @Test func directivesEndAtTheFirstOtherLine() throws {
        let file = try Dockerfile.parse("# syntax=docker/dockerfile:1.7\n\n# escape=`\nFROM alpine\nRUN a \\\n b\n")
        #expect(file.syntax == "docker/dockerfile:1.7")
        #expect(file.escapeToken == "\\")
        #expect(file.instructions[1].arguments == "a  b")
    }

    @Test func heredocBodiesAreNotInstructions() throws {
        let text = """
            FROM alpine
            RUN <<EOF
            echo "FROM not-a-stage"
            ENTRYPOINT ["nope"]
            EOF
            COPY <<-"CONF" /etc/app.conf
            \tkey=$value
            \tCONF
            CMD ["/bin/sh"]
            """
        let file = try Dockerfile.parse(text)
        #expect(file.instructions.map(\.keyword) == ["FROM", "RUN", "COPY", "CMD"])
        let run = file.instructions[1]
        #expect(run.heredocs.count == 1)
        #expect(run.heredocs[0].content == "echo \"FROM not-a-stage\"\nENTRYPOINT [\"nope\"]\n")
        #expect(run.endLine == 5)
        let copy = file.instructions[2]
        #expect(copy.heredocs[0].name == "CONF")
        #expect(copy.heredocs[0].chomp)
        #expect(!copy.heredocs[0].expand)
        #expect(file.instructions[3].startLine == 9)
    }

    @Test func severalHeredocsOnOneLine() throws {
        let text = "FROM alpine\nRUN cat <<A - <<B > /out\nfirst\nA\nsecond\nB\nCMD [\"x\"]\n"
        let file = try Dockerfile.parse(text)
        #expect(file.instructions[1].heredocs.map(\.name) == ["A", "B"])
        #expect(file.instructions[1].heredocs.map(\.content) == ["first\n", "second\n"])
        #expect(file.instructions[2].json == ["x"])
    }

    @Test(arguments: [
        "RUN echo '<<EOF'",
        "RUN cat<<EOF",
        "RUN [\"sh\", \"-c\", \"cat <<EOF\"]",
        "ENTRYPOINT cat <<EOF",
    ])
    func lineWithoutHeredoc(_ instruction: String) throws {
        let file = try Dockerfile.parse("FROM alpine\n\(instruction)\nCMD [\"after\"]\n")
        #expect(file.instructions.count == 3)
        #expect(file.instructions[1].heredocs.isEmpty)
        #expect(file.instructions[2].json == ["after"])
    }

    @Test func onbuildHoldsItsTrigger() throws {
        let file = try Dockerfile.parse("FROM alpine\nONBUILD entrypoint [\"/trigger\"]\nONBUILD RUN <<EOF\nx\nEOF\n")
        #expect(file.instructions[1].trigger?.keyword == "ENTRYPOINT")
        #expect(file.instructions[1].trigger?.json == ["/trigger"])
        #expect(file.instructions[2].heredocs.first?.content == "x\n")
    }

    @Test func flagsAreSplitOffTheArguments() throws {
        let file = try Dockerfile.parse("FROM --platform=$BUILDPLATFORM golang AS build\nCOPY --from=build --chmod=\"0755\" /out /app\n")
        #expect(file.instructions[0].flags == ["--platform=$BUILDPLATFORM"])
        #expect(file.instructions[0].arguments == "golang AS build")
        #expect(file.instructions[1].flag("from") == "build")
        #expect(file.instructions[1].flag("chmod") == "0755")
        #expect(file.instructions[1].arguments == "/out /app")
    }

    @Test func crlfAndByteOrderMark() throws {
        let file = try Dockerfile.parse("\u{FEFF}FROM alpine\r\nCMD [\"a\", \\\r\n  \"b\"]\r\n")
        #expect(file.instructions.map(\.keyword) == ["FROM", "CMD"])
        #expect(file.instructions[1].json == ["a", "b"])
    }

    @Test func shellFormThatIsNotJSON() throws {
        let file = try Dockerfile.parse("FROM alpine\nCMD [ -f /x ] && run\n")
        #expect(file.instructions[1].json == nil)
        #expect(file.instructions[1].arguments == "[ -f /x ] && run")
    }

    @Test(arguments: [
        ("[\"a\", \"b\"", true),
        ("['a', 'b']", true),
        ("[\"/app\"] # start", true),
        ("[\"a\\\"b\"", true),
        ("[", true),
        ("[ \"$DEBUG\" = \"1\" ] && exec debug || exec app", false),
        ("[ -f /x ] && run", false),
        ("['$A' != x ]", false),
    ])
    func execFormAttemptDetection(_ text: String, _ attempted: Bool) {
        #expect(DockerfileParserProbe.looksLikeExecForm(text) == attempted)
    }

    @Test func shellTestCommandIsShellForm() throws {
        let file = try Dockerfile.parse("FROM alpine\nCMD [ \"$DEBUG\" = \"1\" ] && exec debug || exec app\n")
        #expect(file.instructions[1].json == nil)
    }

    @Test func danglingContinuationAtEndOfFile() throws {
        let file = try Dockerfile.parse("FROM alpine\nCMD echo hi \\\n# trailing comment\n")
        #expect(file.danglingContinuationLine == 2)
        #expect(file.instructions[1].arguments == "echo hi")
    }

    @Test func shellWordExpansion() throws {
        let lex = DockerfileShellWord(escape: "\\", environment: ["A": "x", "E": ""])
        #expect(try lex.process("$A-${A}") == "x-x")
        #expect(try lex.process("${B:-def}/${E:-empty}/${E-set}") == "def/empty/")
        #expect(try lex.process("${A:+alt}${B:+no}") == "alt")
        #expect(try lex.process("'$A'\"$A\"\\$A") == "$Ax$A")
        #expect(throws: (any Error).self) { try lex.process("${B:?must be set}") }
    }
}
