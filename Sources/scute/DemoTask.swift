import Foundation
import ScuteBundle
import ScuteCore
import ScuteEmbed

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The demo's task: the seed's sample task (it copies /bin/sleep to /tmp/xmrig, a compliance finding), a small
/// web shop (busybox httpd) behind the sidecar's web application firewall, and a `traffic` container that, every
/// 10 seconds, does what the sample policy forbids. Embedded as `scute embed task-definition` would.
enum DemoTask {
    static let family = "fargate-vulnerability-compliance-task"
    static let sidecarImage = "scutesec/sidecar:0.1.0"
    /// The firewall's port in the task (the shop listens on `shopPort`, behind it).
    static let webPort = 8080
    static let shopPort = 8081

    /// The seed's container, as its documentation gives it.
    static let seedContainer = #"""
        {"command": ["/bin/sh -c 'cp /bin/sleep /tmp/xmrig && echo \"[+] Sleeping...\" && while true; do sleep 1000 ; done'"],
         "entryPoint": ["sh", "-c"], "essential": true, "image": "ubuntu:18.04", "name": "Fargate-vul-comp-test",
         "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]}
        """#

    /// Every 10 s: a permitted command, a denied one (netcat), a crypto miner, a connection to an IRC port, and
    /// two attacks and one ordinary request to the shop through the firewall.
    static let traffic = #"""
        cp /bin/sleep /tmp/xmrig
        n=0
        while :; do
            n=$((n+1))
            date >/dev/null
            nc -w 1 127.0.0.1 8080 </dev/null >/dev/null 2>&1; [ $? -ge 126 ] && echo "round $n: nc refused" || echo "round $n: nc ran"
            /tmp/xmrig 1 2>/dev/null && echo "round $n: xmrig ran" || echo "round $n: xmrig refused"
            # (no -T: busybox 1.35's wget crashes with a timeout on a refused connection)
            wget -q -O /dev/null http://127.0.0.1:6667/ 2>/dev/null; echo "round $n: IRC port connection tried"
            wget -q -O /dev/null "http://127.0.0.1:8080/" && echo "round $n: shop answered"
            wget -q -O /dev/null "http://127.0.0.1:8080/search?q=1%27%20OR%20%271%27=%271" || echo "round $n: SQL injection stopped"
            wget -q -O /dev/null "http://127.0.0.1:8080/?name=%3Cscript%3Ealert(1)%3C/script%3E" || echo "round $n: XSS stopped"
            sleep 10
        done
        """#

    /// The plain (unprotected) task definition.
    static func definition() throws -> JSONValue {
        func quoted(_ text: String) -> String { JSONValue.string(text).serialized(.compact) }
        let shop = "mkdir -p /tmp/www && echo '<h1>Scute demo shop</h1>' > /tmp/www/index.html && exec httpd -f -p 127.0.0.1:\(shopPort) -h /tmp/www"
        return try JSONValue.parse(
            """
            {"family": "\(family)", "cpu": "256", "memory": "512", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
             "containerDefinitions": [\(seedContainer),
              {"name": "shop", "image": "demo/shop:1.0", "essential": true, "entryPoint": ["sh", "-c"], "command": [\(quoted(shop))],
               "portMappings": [{"containerPort": \(webPort), "protocol": "tcp"}]},
              {"name": "traffic", "image": "demo/traffic:1.0", "essential": false, "entryPoint": ["sh", "-c"],
               "command": [\(quoted(traffic))], "dependsOn": [{"containerName": "shop", "condition": "START"}]}]}
            """
        )
    }

    /// The task protected: the defender sidecar, each container under the defender, the firewall in front of the shop.
    static func protected(installBundle: String, channel: String) throws -> JSONValue {
        let (input, _) = try TaskDefinitionEmbedder.registerInput(from: try definition())
        let options = EmbedOptions(
            consoleAddress: channel,
            installBundle: installBundle,
            sidecarImage: sidecarImage,
            waas: [WAASBinding(container: "shop", externalPort: webPort, appPort: shopPort)],
            waasEffect: "prevent"
        )
        return .object(try TaskDefinitionEmbedder().embed(input, options: options).taskDefinition)
    }

    /// Whether the bundle's defender is statically linked (it then runs in a busybox-only root).
    static func bundleIsStatic(_ bundle: String, scratch: String) -> Bool {
        guard let archive = try? FileSystem.read(bundle) else { return false }
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        guard (try? DefenderBundle.unpack(archive, into: scratch)) != nil,
            let defender = try? FileSystem.read(scratch + "/" + DefenderBundle.executableName)
        else { return false }
        return ELF.isStaticExecutable(defender) == true
    }

    /// A root holding only Debian's busybox-static (and its applets), standing in for the images; nil when
    /// /bin/busybox is missing or not static.
    static func busyboxRoot(in folder: String) -> String? {
        let busybox = "/bin/busybox"
        guard let bytes = try? FileSystem.read(busybox), ELF.isStaticExecutable(bytes) == true else { return nil }
        let root = folder + "/rootfs"
        for sub in ["", "/bin", "/etc", "/tmp", "/proc", "/sys", "/dev", "/root"] { mkdir(root + sub, 0o755) }
        chmod(root + "/tmp", 0o1777)
        guard (try? FileSystem.writeAtomically(bytes, to: root + "/bin/busybox", mode: 0o755)) != nil else { return nil }
        for applet in applets() where applet != "busybox" {
            let link = root + "/bin/" + applet
            unlink(link)
            symlink("busybox", link)
        }
        _ = try? FileSystem.writeAtomically(Array("root:x:0:0:root:/root:/bin/sh\n".utf8), to: root + "/etc/passwd")
        _ = try? FileSystem.writeAtomically(Array("root:x:0:\n".utf8), to: root + "/etc/group")
        return root
    }

    /// The applets the demo's scripts use (a busybox root needs a name for each).
    private static func applets() -> [String] {
        ["sh", "cp", "echo", "date", "whoami", "sleep", "nc", "wget", "httpd", "mkdir", "cat", "ls", "true", "id", "ps", "env"]
    }
}
