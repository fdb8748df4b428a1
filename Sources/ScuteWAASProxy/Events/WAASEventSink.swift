/// Where the proxy sends events: a JSON-lines file for standalone use; the sidecar can forward them to the console.
/// Called on the connection's event loop: implementations must not block for long.
package protocol WAASEventSink: Sendable {
    /// Records the events of one request (one per finding, all with the same event ID).
    func record(_ events: [WAASEvent])
}
