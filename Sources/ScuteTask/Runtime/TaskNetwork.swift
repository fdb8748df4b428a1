import CScuteTask

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The task's network and UTS namespaces (held open by descriptors) and the metadata endpoint's listening
/// socket inside them: loopback up, the endpoint's link-local address on it, the task's host name set.
final class TaskNetwork {
    let netFD: Int32
    let utsFD: Int32
    /// Taken by the metadata server, which closes it.
    let listenFD: Int32

    init(hostname: String, address: String, port: UInt16) throws(TaskError) {
        var net: Int32 = -1
        var uts: Int32 = -1
        var listener: Int32 = -1
        var stage: Int32 = 0
        if scute_task_make_network(hostname, address, port, &net, &uts, &listener, &stage) != 0 {
            let steps = [
                1: "create the network namespace", 2: "bring up lo", 3: "add \(address) to lo", 4: "set the host name",
                5: "listen on \(address):\(port)", 6: "open the namespace",
            ]
            throw .system("task network: could not \(steps[Int(stage)] ?? "set up")", errno: scute_task_errno())
        }
        netFD = net
        utsFD = uts
        listenFD = listener
    }

    deinit {
        close(netFD)
        close(utsFD)
    }
}
