// The scan benchmark's driver: a full scan (all checks) plus the inventory of ROOT, timed, with peak RSS.
// Built by bench/compliance/run.sh in a throw-away package next to the sources.
import ScuteScan
import ScuteScanSQLite
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
let root = arguments.count > 1 ? arguments[1] : "/var/cache/scute-tests/minbase-bookworm"
var options = ScanOptions(rpmHeaderSource: SystemRpmHeaderSource())
if arguments.count > 2 { options.threads = Int(arguments[2]) ?? 2 }
let start = clock_gettime_ns()
let scanner = ImageScanner(root: root, options: options)
let (report, inventory) = try scanner.scanWithInventory()
let elapsed = Double(clock_gettime_ns() - start) / 1e9
print(report.table())
print("packages: \(inventory.packages.count)")
print("elapsed: \(elapsed) s")
var usage = rusage()
getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
print("cpu: \(cpu) s")
print("max RSS: \(usage.ru_maxrss / 1024) MB")

func clock_gettime_ns() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

// `scan-bench ROOT THREADS digests`: raw digest speed on 256 MiB in memory.
if arguments.count > 3 {
    let buffer = [UInt8](repeating: 0x61, count: 256 << 20)
    for algorithm in [DigestAlgorithm.md5, .sha1, .sha256] {
        let t0 = clock_gettime_ns()
        var digest = FileDigest(algorithm)
        buffer.withUnsafeBytes { digest.update($0) }
        _ = digest.finish()
        print("\(algorithm): \(Double(256) / (Double(clock_gettime_ns() - t0) / 1e9)) MB/s")
    }
}
