import NIOCore
import Synchronization

/// The client connections being served: admits up to a maximum, and lists them for a graceful shutdown.
final class ConnectionRegistry: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    /// Records `channel` unless `maximum` are already served; it leaves the registry when it closes.
    func admit(_ channel: any Channel, maximum: Int) -> Bool {
        let admitted = channels.withLock { channels in
            guard channels.count < maximum else { return false }
            channels[ObjectIdentifier(channel)] = channel
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { [self] _ in
                _ = channels.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
            }
        }
        return admitted
    }

    /// The open connections now.
    var all: [any Channel] { channels.withLock { Array($0.values) } }

    var count: Int { channels.withLock { $0.count } }
}
