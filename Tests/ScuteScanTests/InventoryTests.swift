import Foundation
import Testing

@testable import ScuteScan

/// Language packages: a real virtualenv, a node_modules tree, a Go binary and a jar built here, Ruby gems.
@Suite struct InventoryTests {
    func inventory(_ root: TestRoot) throws -> [InventoryPackage] {
        try ImageScanner(root: root.path).inventory().packages
    }

    @Test func pythonVirtualenv() throws {
        let python = try #require(
            ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.fileExists(atPath: $0) },
            "skipped: no python3"
        )
        let root = TestRoot()
        try run(python, ["-m", "venv", root.path + "/opt/venv"])
        let site = try #require(
            try FileManager.default.contentsOfDirectory(atPath: root.path + "/opt/venv/lib").first { $0.hasPrefix("python3") }
        )
        root.write(
            "opt/venv/lib/\(site)/site-packages/requests-2.31.0.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n\nBody: Name: fake\n"
        )
        root.write("usr/lib/python3/dist-packages/six-1.16.0.egg-info", "Metadata-Version: 1.1\nName: six\nVersion: 1.16.0\n")
        let packages = try inventory(root).filter { $0.ecosystem == "PyPI" }
        #expect(packages.contains { $0.name == "pip" && $0.path?.hasPrefix("/opt/venv/lib/") == true })
        #expect(
            packages.contains { $0.name == "requests" && $0.version == "2.31.0" && $0.path?.hasSuffix("requests-2.31.0.dist-info/METADATA") == true }
        )
        #expect(packages.contains { $0.name == "six" && $0.version == "1.16.0" && $0.path == "/usr/lib/python3/dist-packages/six-1.16.0.egg-info" })
    }

    @Test func nodeModules() throws {
        let root = TestRoot()
        root.write("app/package.json", #"{"name": "my-app", "version": "1.0.0"}"#)
        root.write("app/node_modules/lodash/package.json", #"{"name": "lodash", "version": "4.17.21", "main": "lodash.js"}"#)
        root.write("app/node_modules/@babel/core/package.json", #"{"name": "@babel/core", "version": "7.23.0"}"#)
        root.write("app/node_modules/a/node_modules/b/package.json", #"{"name": "b", "version": "0.1.0"}"#)
        root.write("app/node_modules/lodash/fp/package.json", #"{"main": "../fp.js"}"#)
        root.write("app/node_modules/broken/package.json", "{ not json")
        let packages = try inventory(root)
        #expect(
            packages.map { "\($0.ecosystem) \($0.name) \($0.version) \($0.path ?? "")" } == [
                "npm @babel/core 7.23.0 /app/node_modules/@babel/core/package.json",
                "npm b 0.1.0 /app/node_modules/a/node_modules/b/package.json",
                "npm lodash 4.17.21 /app/node_modules/lodash/package.json",
            ]
        )
    }

    @Test func rubyGems() throws {
        let root = TestRoot()
        root.write(
            "usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec",
            "Gem::Specification.new do |s|\n  s.name = \"rake\".freeze\n  s.version = \"13.0.6\"\nend\n"
        )
        root.write("usr/lib/ruby/gems/3.1.0/specifications/nokogiri-1.15.4-x86_64-linux.gemspec", "# no fields\n")
        let packages = try inventory(root)
        #expect(
            packages == [
                InventoryPackage(
                    ecosystem: .rubyGems,
                    name: "nokogiri",
                    version: "1.15.4",
                    path: "/usr/lib/ruby/gems/3.1.0/specifications/nokogiri-1.15.4-x86_64-linux.gemspec"
                ),
                InventoryPackage(
                    ecosystem: .rubyGems,
                    name: "rake",
                    version: "13.0.6",
                    path: "/usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec"
                ),
            ]
        )
    }

    @Test func goBinaryBuiltHere() throws {
        let go = try #require(which("go"), "skipped: go is not installed")
        let source = TestRoot()
        source.write("go.mod", "module example.com/hello\n\ngo 1.19\n")
        source.write("main.go", "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n")
        let root = TestRoot()
        root.makeFolder("usr/local/bin")
        let cache = TestRoot()
        try run(
            "/bin/sh",
            ["-c", "cd \(source.path) && \(go) build -o \(root.path)/usr/local/bin/hello ."],
            environment: ["GOCACHE": cache.path, "GOPATH": cache.path + "/gopath", "GOFLAGS": "-mod=mod", "GOPROXY": "off", "CGO_ENABLED": "0"]
        )
        let version = try run(go, ["env", "GOVERSION"], environment: ["GOCACHE": cache.path]).trimmingCharacters(in: .whitespacesAndNewlines)
        let packages = try inventory(root)
        #expect(
            packages.contains(InventoryPackage(ecosystem: .go, name: "stdlib", version: String(version.dropFirst(2)), path: "/usr/local/bin/hello"))
        )
        #expect(packages.contains { $0.ecosystem == "Go" && $0.name == "example.com/hello" && $0.version == "(devel)" })
    }

    @Test func javaArchivesWithNestedJars() throws {
        let jar = try #require(which("jar"), "skipped: no JDK (jar)")
        let work = TestRoot()
        work.write("inner/META-INF/maven/org.slf4j/slf4j-api/pom.properties", "#Generated\nversion=2.0.9\ngroupId=org.slf4j\nartifactId=slf4j-api\n")
        work.write("inner/org/slf4j/Logger.class", [0xca, 0xfe, 0xba, 0xbe])
        try run(jar, ["cf", work.path + "/slf4j-api-2.0.9.jar", "-C", work.path + "/inner", "."])
        work.write("outer/META-INF/maven/com.example/app/pom.properties", "groupId=com.example\nartifactId=app\nversion=1.4.2\n")
        work.makeFolder("outer/BOOT-INF/lib")
        try run("/bin/cp", [work.path + "/slf4j-api-2.0.9.jar", work.path + "/outer/BOOT-INF/lib/"])
        let root = TestRoot()
        root.makeFolder("app")
        try run(jar, ["cf", root.path + "/app/app.jar", "-C", work.path + "/outer", "."])
        let packages = try inventory(root)
        #expect(
            packages == [
                InventoryPackage(ecosystem: .maven, name: "com.example:app", version: "1.4.2", path: "/app/app.jar"),
                InventoryPackage(
                    ecosystem: .maven,
                    name: "org.slf4j:slf4j-api",
                    version: "2.0.9",
                    path: "/app/app.jar!/BOOT-INF/lib/slf4j-api-2.0.9.jar"
                ),
            ]
        )
    }

    @Test func inventoryJSONShape() throws {
        let report = InventoryReport(packages: [
            InventoryPackage(ecosystem: .debian, name: "bash", version: "5.2.15-2+b2", source: "bash", sourceVersion: "5.2.15-2")
        ])
        let json = String(decoding: try report.jsonData(pretty: false), as: UTF8.self)
        #expect(json == #"{"packages":[{"ecosystem":"Debian","name":"bash","source":"bash","sourceVersion":"5.2.15-2","version":"5.2.15-2+b2"}]}"#)
        #expect(report.table().contains("bash 5.2.15-2"))
    }
}
