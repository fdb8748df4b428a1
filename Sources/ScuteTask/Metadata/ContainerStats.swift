import ScuteCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A small part of the Docker stats document the `/stats` paths serve, read from /proc for the container's
/// PID 1: CPU time used and resident memory.
enum ContainerStats {
    static func document(_ container: ContainerStatus) -> JSONValue {
        var object = JSONObject()
        func put(_ key: String, _ value: JSONValue) { object.insert(value, forKey: key, at: object.count) }
        put("read", .string(System.timestamp()))
        put("name", .string(container.name))
        put("id", .string(container.dockerID))
        guard let pid = container.pid, let stat = System.readFile("/proc/\(pid)/stat") else { return .object(object) }
        // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
        let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
        let ticks = sysconf(Int32(_SC_CLK_TCK))
        if fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]), ticks > 0 {
            let usage: JSONValue = ["total_usage": .int((user + system) * (1_000_000_000 / ticks))]
            put("cpu_stats", ["cpu_usage": usage, "online_cpus": .int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))])
        }
        if let statm = System.readFile("/proc/\(pid)/statm"), let resident = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
            put("memory_stats", ["usage": .int(resident * sysconf(Int32(_SC_PAGESIZE)))])
        }
        return .object(object)
    }
}
