import Testing

@testable import ScuteEmbed

struct DockerfileErrorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var dockerfile: String
    var options = DockerfileEmbedOptions(appID: "a")
    var code: DockerfileError.Code
    var line: Int?
    /// Words the message must hold.
    var mentions: [String]
    var testDescription: String { name }
}

let dockerfileErrorCases: [DockerfileErrorCase] = [
    DockerfileErrorCase(name: "empty Dockerfile", dockerfile: "", code: .noStage, line: 1, mentions: ["no FROM"]),
    DockerfileErrorCase(name: "only comments and ARGs", dockerfile: "# hello\nARG A=1\n", code: .noStage, line: 2, mentions: ["no FROM"]),
    DockerfileErrorCase(
        name: "instruction before FROM",
        dockerfile: "ARG V=1\nRUN echo $V\nFROM alpine\n",
        code: .noStage,
        line: 2,
        mentions: ["RUN", "before the first FROM"]
    ),
    DockerfileErrorCase(
        name: "unterminated heredoc",
        dockerfile: "FROM alpine\nRUN <<EOF\necho hi\neof\n",
        code: .unterminatedHeredoc,
        line: 2,
        mentions: ["<<EOF", "never terminated"]
    ),
    DockerfileErrorCase(
        name: "unterminated heredoc after a terminated one",
        dockerfile: "FROM alpine\nCOPY <<A <<B /x\na\nA\nb\n",
        code: .unterminatedHeredoc,
        line: 2,
        mentions: ["<<B"]
    ),
    DockerfileErrorCase(
        name: "unterminated JSON in ENTRYPOINT",
        dockerfile: "FROM alpine\n\nENTRYPOINT [\"/app\", \"--flag\"\n",
        code: .invalidJSON,
        line: 3,
        mentions: ["ENTRYPOINT", "not valid JSON"]
    ),
    DockerfileErrorCase(
        name: "single-quoted CMD exec form",
        dockerfile: "FROM alpine\nENTRYPOINT [\"/app\"]\nCMD ['--port', '80']\n",
        code: .invalidJSON,
        line: 3,
        mentions: ["CMD"]
    ),
    DockerfileErrorCase(
        name: "JSON exec form with a trailing comment",
        dockerfile: "FROM alpine\nCMD [\"/app\"] # start the app\n",
        code: .invalidJSON,
        line: 2,
        mentions: ["put nothing after it"]
    ),
    DockerfileErrorCase(
        name: "exec form with a number",
        dockerfile: "FROM alpine\nENTRYPOINT [\"/app\", 8080]\n",
        code: .invalidJSON,
        line: 2,
        mentions: ["array of strings", "number"]
    ),
    DockerfileErrorCase(
        name: "unterminated JSON continued over lines",
        dockerfile: "FROM alpine\nCMD [\"a\", \\\n  \"b\"\n",
        code: .invalidJSON,
        line: 2,
        mentions: ["CMD"]
    ),
    DockerfileErrorCase(
        name: "unknown --target",
        dockerfile: "FROM alpine AS build\nFROM alpine AS run\nENTRYPOINT [\"/a\"]\n",
        options: DockerfileEmbedOptions(appID: "a", target: "prod"),
        code: .unknownStage,
        line: nil,
        mentions: ["prod", "build, run"]
    ),
    DockerfileErrorCase(
        name: "FROM names a stage defined later",
        dockerfile: "FROM alpine AS one\nFROM two\nENTRYPOINT [\"/a\"]\nFROM alpine AS two\n",
        code: .unknownStage,
        line: 2,
        mentions: ["line 4"]
    ),
    DockerfileErrorCase(
        name: "COPY --from index past the last stage",
        dockerfile: "FROM alpine\nCOPY --from=3 /a /b\nENTRYPOINT [\"/a\"]\n",
        code: .unknownStage,
        line: 2,
        mentions: ["--from=3", "1 stages"]
    ),
    DockerfileErrorCase(
        name: "entrypoint of an unseen base image",
        dockerfile: "FROM alpine AS build\nRUN make\n\nFROM nginx:1.27\nCOPY --from=build /out /usr/share/nginx/html\n",
        code: .missingImageConfig,
        line: 4,
        mentions: ["nginx:1.27", "ENTRYPOINT", "--entrypoint", "--image-config"]
    ),
    DockerfileErrorCase(
        name: "CMD of an unseen base image that the new ENTRYPOINT would reset",
        dockerfile: "FROM redis:7\nCOPY redis.conf /etc/redis.conf\n",
        options: DockerfileEmbedOptions(appID: "a", baseEntrypoint: .known(["docker-entrypoint.sh"])),
        code: .missingImageConfig,
        line: 1,
        mentions: ["redis:7", "CMD", "--cmd"]
    ),
    DockerfileErrorCase(
        name: "missing entrypoint info through a chain of stages",
        dockerfile: "FROM node:20 AS base\nWORKDIR /app\nFROM base\nCMD [\"node\", \"index.js\"]\n",
        code: .missingImageConfig,
        line: 1,
        mentions: ["node:20"]
    ),
    DockerfileErrorCase(
        name: "bad escape directive",
        dockerfile: "# escape=x\nFROM alpine\n",
        code: .invalidDirective,
        line: 1,
        mentions: ["invalid escape token"]
    ),
    DockerfileErrorCase(
        name: "escape directive twice",
        dockerfile: "# escape=`\n# escape=`\nFROM alpine\n",
        code: .invalidDirective,
        line: 2,
        mentions: ["only one escape"]
    ),
    DockerfileErrorCase(
        name: "unknown instruction",
        dockerfile: "FROM alpine\nCOPPY . /app\n",
        code: .invalidInstruction,
        line: 2,
        mentions: ["unknown instruction: COPPY"]
    ),
    DockerfileErrorCase(
        name: "shell-form SHELL",
        dockerfile: "FROM alpine\nSHELL /bin/bash -c\n",
        code: .invalidInstruction,
        line: 2,
        mentions: ["JSON form"]
    ),
    DockerfileErrorCase(
        name: "ONBUILD FROM",
        dockerfile: "FROM alpine\nONBUILD FROM busybox\n",
        code: .invalidInstruction,
        line: 2,
        mentions: ["FROM isn't allowed"]
    ),
    DockerfileErrorCase(
        name: "FROM with two words",
        dockerfile: "FROM alpine build\n",
        code: .invalidInstruction,
        line: 1,
        mentions: ["one or three arguments"]
    ),
    DockerfileErrorCase(
        name: "FROM with an ARG that has no value",
        dockerfile: "ARG BASE\nFROM $BASE\n",
        code: .invalidInstruction,
        line: 2,
        mentions: ["should not be blank", "--build-arg"]
    ),
    DockerfileErrorCase(
        name: "flags on ENTRYPOINT",
        dockerfile: "FROM alpine\nENTRYPOINT --chmod=755 [\"/a\"]\n",
        code: .invalidInstruction,
        line: 2,
        mentions: ["no flags"]
    ),
    DockerfileErrorCase(
        name: "already protected ENTRYPOINT without the generated block",
        dockerfile: "FROM alpine\nENTRYPOINT [\"/scute/defender\", \"rasp\", \"--\", \"/a\"]\n",
        code: .invalidInstruction,
        line: 2,
        mentions: ["already starts the Scute defender"]
    ),
    DockerfileErrorCase(
        name: "relative data folder",
        dockerfile: "FROM alpine\nENTRYPOINT [\"/a\"]\n",
        options: DockerfileEmbedOptions(appID: "a", dataFolder: "scute"),
        code: .invalidOption,
        line: nil,
        mentions: ["--data-folder"]
    ),
    DockerfileErrorCase(
        name: "data folder with a variable",
        dockerfile: "FROM alpine\nENTRYPOINT [\"/a\"]\n",
        options: DockerfileEmbedOptions(appID: "a", dataFolder: "/$HOME/scute"),
        code: .invalidOption,
        line: nil,
        mentions: ["--data-folder"]
    ),
    DockerfileErrorCase(
        name: "app ID with a line break",
        dockerfile: "FROM alpine\nENTRYPOINT [\"/a\"]\n",
        options: DockerfileEmbedOptions(appID: "a\nRUN rm -rf /"),
        code: .invalidOption,
        line: nil,
        mentions: ["--app-id", "line breaks"]
    ),
    DockerfileErrorCase(
        name: "empty app ID",
        dockerfile: "FROM alpine\nENTRYPOINT [\"/a\"]\n",
        options: DockerfileEmbedOptions(appID: ""),
        code: .invalidOption,
        line: nil,
        mentions: ["--app-id"]
    ),
]

@Suite("Dockerfile embed errors")
struct DockerfileErrorTests {
    @Test(arguments: dockerfileErrorCases)
    func errorNamesTheProblemAndLine(_ c: DockerfileErrorCase) throws {
        let error = try #require(throws: DockerfileError.self) {
            try DockerfileEmbed.embed(c.dockerfile, options: c.options)
        }
        #expect(error.code == c.code)
        #expect(error.line == c.line)
        for word in c.mentions {
            #expect(error.message.contains(word), "\(error.message) should mention \(word)")
        }
        if let line = c.line { #expect(error.description.hasPrefix("Dockerfile line \(line): ")) }
    }

    @Test(arguments: [
        ("not json", "not JSON"),
        ("[]", "exactly one image"),
        ("[{\"Id\": \"x\"}, {\"Id\": \"y\"}]", "2 images"),
        ("{\"Config\": {\"Entrypoint\": \"/bin/sh\"}}", "Entrypoint must be an array"),
        ("{\"Id\": \"sha256:1\"}", "no Config"),
        ("42", "must be a JSON object"),
    ])
    func badImageConfig(_ text: String, _ mention: String) throws {
        let error = try #require(throws: DockerfileError.self) { try DockerImageProcess.parse(text) }
        #expect(error.code == .invalidImageConfig)
        #expect(error.message.contains(mention))
    }

    @Test func imageConfigShapes() throws {
        let inspect = """
            [{"Id": "sha256:1", "Config": {"Env": ["PATH=/usr/bin"], "Entrypoint": ["/docker-entrypoint.sh"],
              "Cmd": ["nginx", "-g", "daemon off;"], "OnBuild": null, "Shell": null}}]
            """
        #expect(
            try DockerImageProcess.parse(inspect)
                == DockerImageProcess(entrypoint: ["/docker-entrypoint.sh"], cmd: ["nginx", "-g", "daemon off;"])
        )
        let oci = #"{"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]}, "rootfs": {"type": "layers"}}"#
        #expect(try DockerImageProcess.parse(oci) == DockerImageProcess(cmd: ["/bin/sh"]))
        #expect(try DockerImageProcess.parse(#"{"Entrypoint": null, "Cmd": ["x"]}"#) == DockerImageProcess(cmd: ["x"]))
    }

    @Test(arguments: [
        ("[\"/a\", \"b\"]", ["/a", "b"] as [String]?),
        ("null", nil),
        ("[]", nil),
    ])
    func entrypointOption(_ text: String, _ expected: [String]?) throws {
        #expect(try DockerImageProcess.parseList(text, option: "--entrypoint") == expected)
    }

    @Test func badEntrypointOption() throws {
        let error = try #require(throws: DockerfileError.self) { try DockerImageProcess.parseList("/bin/app", option: "--entrypoint") }
        #expect(error.code == .invalidOption)
        #expect(error.message.contains("--entrypoint"))
    }
}
