import Testing

@testable import ScuteEmbed

/// What the image built from Dockerfile text runs (Entrypoint then Cmd), worked out without any base image
/// config: a protected Dockerfile must not need one.
func dockerfileCommand(_ text: String, target: String? = nil) throws -> [String] {
    let file = try Dockerfile.parse(text)
    let stages = try DockerfileStages.analyze(file)
    let index = try DockerfileEmbed.targetStage(stages, target)
    let stage = stages.stages[index]
    guard case .known(let entrypoint) = stage.entrypoint, case .known(let cmd) = stage.cmd else {
        Issue.record("the protected Dockerfile's command depends on its base image")
        return []
    }
    return (entrypoint ?? []) + (cmd ?? [])
}

struct DockerfileEmbedCase: Sendable, CustomTestStringConvertible {
    var name: String
    var dockerfile: String
    var options = DockerfileEmbedOptions(appID: "shop")
    /// What Docker runs for the original image.
    var runs: [String]
    /// The CMD the embed must restate, if any.
    var redeclaredCmd: [String]? = nil
    /// The image's non-root USER, which the defender (as root) starts the app as.
    var appUser: String? = nil
    var testDescription: String { name }
}

let dockerfileDefenderPrefix = ["/scute/defender", "rasp", "--"]

let dockerfileEmbedCases: [DockerfileEmbedCase] = [
    DockerfileEmbedCase(
        name: "Go build stage, static binary on scratch",
        dockerfile: """
            # syntax=docker/dockerfile:1
            FROM golang:1.23 AS build
            WORKDIR /src
            COPY . .
            RUN CGO_ENABLED=0 go build -o /out/server ./cmd/server

            FROM scratch
            COPY --from=build /out/server /server
            USER 65532:65532
            ENTRYPOINT ["/server"]
            """,
        runs: ["/server"],
        appUser: "65532:65532"
    ),
    DockerfileEmbedCase(
        name: "Node on an image whose entrypoint comes from --entrypoint",
        dockerfile: """
            FROM node:20-alpine
            WORKDIR /app
            COPY package*.json ./
            RUN npm ci --omit=dev
            COPY . .
            EXPOSE 3000
            CMD ["node", "server.js"]
            """,
        options: DockerfileEmbedOptions(appID: "shop", baseEntrypoint: .known(["docker-entrypoint.sh"])),
        runs: ["docker-entrypoint.sh", "node", "server.js"]
    ),
    DockerfileEmbedCase(
        name: "Python shell-form ENTRYPOINT resets the base CMD",
        dockerfile: """
            FROM python:3.12-slim
            ENV PYTHONUNBUFFERED=1
            COPY requirements.txt .
            RUN pip install --no-cache-dir -r requirements.txt
            COPY . /app
            ENTRYPOINT exec gunicorn -b 0.0.0.0:8000 app:app
            """,
        runs: ["/bin/sh", "-c", "exec gunicorn -b 0.0.0.0:8000 app:app"]
    ),
    DockerfileEmbedCase(
        name: "SHELL changes how a shell-form CMD runs",
        dockerfile: """
            FROM debian:bookworm-slim
            SHELL ["/bin/bash", "-o", "pipefail", "-c"]
            RUN curl -fsSL https://example.com/install.sh | bash
            ENTRYPOINT []
            CMD ./run.sh --port "$PORT"
            """,
        runs: ["/bin/bash", "-o", "pipefail", "-c", "./run.sh --port \"$PORT\""]
    ),
    DockerfileEmbedCase(
        name: "FROM <stage> inherits ENTRYPOINT and CMD; CMD is restated",
        dockerfile: """
            FROM alpine:3.20 AS base
            ENTRYPOINT ["/sbin/tini", "--", "/usr/bin/app"]
            CMD ["serve", "--port", "8080"]

            FROM base AS final
            RUN apk add --no-cache ca-certificates
            """,
        runs: ["/sbin/tini", "--", "/usr/bin/app", "serve", "--port", "8080"],
        redeclaredCmd: ["serve", "--port", "8080"]
    ),
    DockerfileEmbedCase(
        name: "ARG before FROM selects a stage",
        dockerfile: """
            ARG FLAVOR=prod
            ARG BASE=${FLAVOR}-base
            FROM alpine AS prod-base
            ENTRYPOINT ["/prod"]
            FROM alpine AS dev-base
            ENTRYPOINT ["/dev"]
            FROM $BASE
            CMD ["--verbose"]
            """,
        runs: ["/prod", "--verbose"]
    ),
    DockerfileEmbedCase(
        name: "--build-arg overrides the ARG default in FROM",
        dockerfile: """
            ARG FLAVOR=prod
            FROM alpine AS prod
            ENTRYPOINT ["/prod"]
            FROM alpine AS dev
            ENTRYPOINT ["/dev"]
            FROM ${FLAVOR}
            """,
        options: DockerfileEmbedOptions(appID: "shop", buildArgs: ["FLAVOR": "dev"]),
        runs: ["/dev"]
    ),
    DockerfileEmbedCase(
        name: "automatic platform ARGs pick the per-architecture stage",
        dockerfile: """
            FROM alpine AS base-amd64
            ENTRYPOINT ["/x86"]
            FROM alpine AS base-arm64
            ENTRYPOINT ["/arm"]
            FROM base-${TARGETARCH}
            """,
        runs: ["/x86"]
    ),
    DockerfileEmbedCase(
        name: "--platform linux/arm64 picks the arm64 stage",
        dockerfile: """
            FROM alpine AS base-amd64
            ENTRYPOINT ["/x86"]
            FROM alpine AS base-arm64
            ENTRYPOINT ["/arm"]
            FROM base-$TARGETARCH
            """,
        options: DockerfileEmbedOptions(appID: "a", platform: "linux/arm64"),
        runs: ["/arm"]
    ),
    DockerfileEmbedCase(
        name: "ONBUILD triggers of the base stage run in the child",
        dockerfile: """
            FROM alpine AS template
            ENTRYPOINT ["/bin/runner"]
            ONBUILD COPY . /src
            ONBUILD CMD ["from-trigger"]
            FROM template
            """,
        runs: ["/bin/runner", "from-trigger"]
    ),
    DockerfileEmbedCase(
        name: "nginx config only, base image from docker image inspect",
        dockerfile: """
            FROM nginx:1.27
            COPY nginx.conf /etc/nginx/nginx.conf
            COPY dist/ /usr/share/nginx/html/
            """,
        options: DockerfileEmbedOptions(
            appID: "web",
            imageConfig: DockerImageProcess(entrypoint: ["/docker-entrypoint.sh"], cmd: ["nginx", "-g", "daemon off;"])
        ),
        runs: ["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"],
        redeclaredCmd: ["nginx", "-g", "daemon off;"]
    ),
    DockerfileEmbedCase(
        name: "base image SHELL from the image config",
        dockerfile: "FROM example/pwsh\nENTRYPOINT Start-App -Port 80\n",
        options: DockerfileEmbedOptions(appID: "x", imageConfig: DockerImageProcess(shell: ["pwsh", "-Command"])),
        runs: ["pwsh", "-Command", "Start-App -Port 80"]
    ),
    DockerfileEmbedCase(
        name: "ENTRYPOINT without CMD on an unseen image needs no image config",
        dockerfile: "FROM eclipse-temurin:21-jre\nCOPY app.jar /app.jar\nENTRYPOINT [\"java\", \"-jar\", \"/app.jar\"]\n",
        runs: ["java", "-jar", "/app.jar"]
    ),
    DockerfileEmbedCase(
        name: "CMD before ENTRYPOINT in the same stage is kept",
        dockerfile: "FROM alpine\nCMD [\"--flag\"]\nENTRYPOINT [\"/app\"]\n",
        runs: ["/app", "--flag"]
    ),
    DockerfileEmbedCase(
        name: "backtick escape and a lower-case Dockerfile",
        dockerfile: "# escape=`\nfrom alpine\nentrypoint [\"/app\", `\n  \"--x\"]\n",
        options: DockerfileEmbedOptions(appID: "it's `quoted` $HOME"),
        runs: ["/app", "--x"]
    ),
    DockerfileEmbedCase(
        name: "heredoc RUN before the entrypoint",
        dockerfile: """
            FROM ubuntu:24.04
            RUN <<EOT bash
              set -eux
              apt-get update
              echo 'ENTRYPOINT ["wrong"]'
            EOT
            ENTRYPOINT ["/usr/local/bin/start"]
            CMD ["--prod"]
            """,
        runs: ["/usr/local/bin/start", "--prod"]
    ),
    DockerfileEmbedCase(
        name: "scratch image with no command",
        dockerfile: "FROM scratch\nCOPY rootfs/ /\n",
        runs: []
    ),
    DockerfileEmbedCase(
        name: "custom data folder",
        dockerfile: "FROM alpine\nENTRYPOINT [\"/app\"]\n",
        options: DockerfileEmbedOptions(appID: "a", dataFolder: "/opt/scute"),
        runs: ["/app"]
    ),
]

@Suite("Dockerfile embed")
struct DockerfileEmbedTests {
    @Test(arguments: dockerfileEmbedCases)
    func protectsWhatDockerWouldRun(_ c: DockerfileEmbedCase) throws {
        let result = try DockerfileEmbed.embed(c.dockerfile, options: c.options)
        #expect(result.originalCommand == c.runs)
        #expect(result.cmd == c.redeclaredCmd)
        let defender = c.options.dataFolder + "/defender"
        let expected = [defender, "rasp"] + (c.appUser.map { ["--user", $0] } ?? []) + ["--"] + c.runs
        #expect(try dockerfileCommand(result.dockerfile) == expected)
        // What the embed reports is what the generated Dockerfile runs, kept CMD included.
        #expect(result.command == expected)
        // The original text is kept as it was, above the generated block.
        let original = c.dockerfile.hasSuffix("\n") ? c.dockerfile : c.dockerfile + "\n"
        #expect(result.dockerfile.hasPrefix(original))
        #expect(result.dockerfile.contains("ADD [\"scute-defender.tar.gz\",\"\(c.options.dataFolder)/\"]"))
        #expect(result.dockerfile.contains("ENV SCUTE_DEFENDER_TYPE='embedded'"))
        #expect(result.dockerfile.contains("ENV SCUTE_DATA_FOLDER='\(c.options.dataFolder)'"))
    }

    @Test(arguments: dockerfileEmbedCases)
    func embeddingTwiceGivesTheSameDockerfile(_ c: DockerfileEmbedCase) throws {
        let once = try DockerfileEmbed.embed(c.dockerfile, options: c.options)
        let twice = try DockerfileEmbed.embed(once.dockerfile, options: c.options)
        #expect(twice.dockerfile == once.dockerfile)
    }

    @Test func environmentCarriesTheOptions() throws {
        let options = DockerfileEmbedOptions(appID: "shop", console: "wss://console.example.com:8084", installBundle: "eyJhIjoxfQ==")
        let out = try DockerfileEmbed.embed("FROM alpine\nENTRYPOINT [\"/app\"]\n", options: options).dockerfile
        #expect(out.contains("ENV SCUTE_APP_ID='shop'\n"))
        #expect(out.contains("ENV SCUTE_CONSOLE='wss://console.example.com:8084'\n"))
        #expect(out.contains("ENV SCUTE_INSTALL_BUNDLE='eyJhIjoxfQ=='\n"))
        #expect(out.contains("ENTRYPOINT [\"/scute/defender\",\"rasp\",\"--\",\"/app\"]\n"))
        #expect(!out.contains("\nCMD"))
        let withoutConsole = try DockerfileEmbed.embed("FROM alpine\nENTRYPOINT [\"/app\"]\n", options: .init(appID: "a")).dockerfile
        #expect(!withoutConsole.contains("SCUTE_CONSOLE"))
        #expect(!withoutConsole.contains("SCUTE_INSTALL_BUNDLE"))
    }

    @Test(arguments: [
        ("plain", "plain", "'plain'"),
        ("it's", "it's", "\"it's\""),
        ("a \"b\" $C \\d", "a \"b\" $C \\d", "'a \"b\" $C \\d'"),
        ("it's $HOME \\", "it's $HOME \\", "\"it's \\$HOME \\\\\""),
    ])
    func environmentValuesReadBackUnchanged(_ value: String, _ expected: String, _ written: String) throws {
        let quoted = DockerfileEmbed.quote(value, escape: "\\")
        #expect(quoted == written)
        let lexer = DockerfileShellWord(escape: "\\", environment: ["HOME": "/root", "C": "c"])
        #expect(try lexer.process(quoted) == expected)
    }

    @Test func targetStageGetsTheBlockBeforeTheNextStage() throws {
        let text = "FROM alpine AS app\nENTRYPOINT [\"/app\"]\n\nFROM alpine AS test\nRUN /run-tests\n"
        let result = try DockerfileEmbed.embed(text, options: .init(appID: "a", target: "app"))
        #expect(try dockerfileCommand(result.dockerfile, target: "app") == dockerfileDefenderPrefix + ["/app"])
        let lines = result.dockerfile.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[2] == Substring(DockerfileEmbed.beginMarker))
        #expect(result.dockerfile.hasSuffix("FROM alpine AS test\nRUN /run-tests\n"))
    }

    @Test func crlfDockerfileStaysCRLF() throws {
        let out = try DockerfileEmbed.embed("FROM alpine\r\nENTRYPOINT [\"/app\"]\r\n", options: .init(appID: "a")).dockerfile
        #expect(!out.replacingOccurrences("\r\n", "").contains("\n"))
        #expect(try dockerfileCommand(out) == dockerfileDefenderPrefix + ["/app"])
    }

    @Test func danglingContinuationIsClosedSoTheBlockStaysSeparate() throws {
        let result = try DockerfileEmbed.embed("FROM alpine\nENTRYPOINT [\"/app\"]\nRUN echo done \\\n", options: .init(appID: "a"))
        #expect(result.dockerfile.contains("RUN echo done\n"))
        #expect(try dockerfileCommand(result.dockerfile) == dockerfileDefenderPrefix + ["/app"])
        #expect(result.notes.contains { $0.contains("line 3") })
    }

    @Test func shellFormOnUnseenImageNotesTheAssumedShell() throws {
        let result = try DockerfileEmbed.embed("FROM python:3.12\nENTRYPOINT python app.py\n", options: .init(appID: "a"))
        #expect(result.notes.contains { $0.contains("/bin/sh -c") && $0.contains("python:3.12") })
        let known = try DockerfileEmbed.embed(
            "FROM python:3.12\nENTRYPOINT python app.py\n",
            options: .init(appID: "a", imageConfig: DockerImageProcess(cmd: ["python3"]))
        )
        #expect(known.notes.isEmpty)
        // Only what the image finally runs counts: an exec-form ENTRYPOINT and CMD need no shell.
        let overridden = try DockerfileEmbed.embed(
            "FROM python:3.12\nENTRYPOINT python app.py\nENTRYPOINT [\"python\"]\nCMD [\"app.py\"]\n",
            options: .init(appID: "a")
        )
        #expect(overridden.notes.isEmpty)
        let entrypointOnly = try DockerfileEmbed.embed(
            "FROM python:3.12\nCMD python app.py\n",
            options: .init(appID: "a", baseEntrypoint: .known(nil))
        )
        #expect(entrypointOnly.notes.contains { $0.contains("/bin/sh -c") })
    }

    @Test func explicitEntrypointOptionOverridesImageConfig() throws {
        let options = DockerfileEmbedOptions(
            appID: "a",
            baseEntrypoint: .known(["/override"]),
            imageConfig: DockerImageProcess(entrypoint: ["/from-config"], cmd: ["arg"])
        )
        let result = try DockerfileEmbed.embed("FROM example/app:1\nRUN true\n", options: options)
        #expect(result.originalCommand == ["/override", "arg"])
    }

    @Test func onbuildTriggersFromTheImageConfigRun() throws {
        let options = DockerfileEmbedOptions(
            appID: "a",
            imageConfig: DockerImageProcess(entrypoint: ["/e"], cmd: ["base"], onBuild: ["CMD [\"from-onbuild\"]"])
        )
        let result = try DockerfileEmbed.embed("FROM example/onbuild\nRUN true\n", options: options)
        #expect(result.originalCommand == ["/e", "from-onbuild"])
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

@Suite struct DockerfileEmbedUserTests {
    @Test func aNonRootUserRunsTheAppWhileTheDefenderStaysRoot() throws {
        let result = try DockerfileEmbed.embed("FROM alpine\nUSER app:staff\nENTRYPOINT [\"/app\"]\n", options: .init(appID: "a"))
        #expect(result.entrypoint == ["/scute/defender", "rasp", "--user", "app:staff", "--", "/app"])
        let lines = result.dockerfile.split(separator: "\n").map(String.init)
        let userRoot = try #require(lines.firstIndex(of: "USER root"))
        let entrypoint = try #require(lines.firstIndex { $0.hasPrefix("ENTRYPOINT [\"/scute/defender\"") })
        #expect(userRoot < entrypoint)
        #expect(result.notes.contains { $0.contains("starts the app as USER app:staff") })
    }

    @Test func theBaseImagesUserCountsAndRootChangesNothing() throws {
        let fromImage = try DockerfileEmbed.embed(
            "FROM nginx-unprivileged\nENTRYPOINT [\"/app\"]\n",
            options: .init(appID: "a", imageConfig: try DockerImageProcess.parse(#"{"Config": {"User": "101", "Cmd": null}}"#))
        )
        #expect(fromImage.entrypoint == ["/scute/defender", "rasp", "--user", "101", "--", "/app"])
        for user in ["root", "0", "0:0", "root:wheel"] {
            let result = try DockerfileEmbed.embed("FROM alpine\nUSER \(user)\nENTRYPOINT [\"/app\"]\n", options: .init(appID: "a"))
            #expect(result.entrypoint == ["/scute/defender", "rasp", "--", "/app"])
            let block = result.dockerfile.split(separator: "\n").drop { $0 != DockerfileEmbed.beginMarker }
            #expect(!block.contains("USER root"))
        }
        let variable = try DockerfileEmbed.embed("FROM alpine\nARG U=app\nUSER $U\nENTRYPOINT [\"/app\"]\n", options: .init(appID: "a"))
        #expect(variable.entrypoint == ["/scute/defender", "rasp", "--", "/app"])
        #expect(variable.notes.contains { $0.contains("uses a variable") })
    }
}
