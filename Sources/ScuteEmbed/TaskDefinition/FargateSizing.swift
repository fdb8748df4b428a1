/// Fargate's task sizes, and a modest share of them for the sidecar.
enum FargateSizing {
    /// Memory sizes (MiB) that Fargate accepts for each task CPU size (CPU units).
    static func validMemory(forCPU cpu: Int) -> [Int]? {
        switch cpu {
        case 256: return [512, 1024, 2048]
        case 512: return Array(stride(from: 1024, through: 4096, by: 1024))
        case 1024: return Array(stride(from: 2048, through: 8192, by: 1024))
        case 2048: return Array(stride(from: 4096, through: 16384, by: 1024))
        case 4096: return Array(stride(from: 8192, through: 30720, by: 1024))
        case 8192: return Array(stride(from: 16384, through: 61440, by: 4096))
        case 16384: return Array(stride(from: 32768, through: 122880, by: 8192))
        default: return nil
        }
    }

    /// Task CPU in units from "256", 256 or "0.25 vCPU".
    static func parseCPU(_ text: String) -> Int? {
        let t = text.trimmingSpaces()
        if let units = Int(t) { return units }
        let lower = t.lowercased()
        guard lower.hasSuffix("vcpu") else { return nil }
        let number = String(lower.dropLast(4)).trimmingSpaces()
        guard let v = Double(number), v > 0 else { return nil }
        return Int(v * 1024)
    }

    /// Task memory in MiB from "512", 512 or "1 GB".
    static func parseMemory(_ text: String) -> Int? {
        let t = text.trimmingSpaces()
        if let mib = Int(t) { return mib }
        let lower = t.lowercased()
        guard lower.hasSuffix("gb") else { return nil }
        let number = String(lower.dropLast(2)).trimmingSpaces()
        guard let v = Double(number), v > 0 else { return nil }
        return Int(v * 1024)
    }

    /// The sidecar's CPU share: an eighth of the task, between 32 and 256 units, within what is left.
    static func sidecarCPU(taskCPU: Int, usedByContainers used: Int) -> Int? {
        let desired = max(32, min(256, taskCPU / 8))
        let left = taskCPU - used
        if left <= 0 { return nil }
        return min(desired, left)
    }

    /// The sidecar's soft memory reservation (MiB) within what is left of the task's memory.
    static let desiredMemoryReservation = 64
    static let minimumMemoryReservation = 16

    static func sidecarMemoryReservation(taskMemory: Int?, reservedByContainers reserved: Int) -> Int? {
        guard let taskMemory else { return desiredMemoryReservation }
        let left = taskMemory - reserved
        if left < minimumMemoryReservation { return nil }
        return min(desiredMemoryReservation, left)
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
