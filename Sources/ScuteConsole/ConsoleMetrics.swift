import Prometheus

/// The console's Prometheus metrics, served at /metrics. A registry per console (not the global
/// MetricsSystem), so tests can run several consoles in one process.
struct ConsoleMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let connectedDefenders: Gauge
    let auditsIngested: Counter
    let auditDuplicates: Counter
    let auditBatchesInFlight: Gauge
    let policyPushes: Counter
    let failedLogins: Counter
    let policyVersion: Gauge

    init() {
        connectedDefenders = registry.makeGauge(
            descriptor: .init(namespace: "scute", metricName: "connected", unitName: "defenders", helpText: "Defenders connected to this console")
        )
        auditsIngested = registry.makeCounter(
            descriptor: .init(namespace: "scute", metricName: "audits_ingested", unitName: "total", helpText: "Audits stored (new event ids)")
        )
        auditDuplicates = registry.makeCounter(
            descriptor: .init(namespace: "scute", metricName: "audit_duplicates", unitName: "total", helpText: "Redelivered audits ignored")
        )
        auditBatchesInFlight = registry.makeGauge(
            descriptor: .init(
                namespace: "scute",
                metricName: "audit_batches_in",
                unitName: "flight",
                helpText: "Audit batches received and not yet acknowledged (ingestion queue depth)"
            )
        )
        policyPushes = registry.makeCounter(
            descriptor: .init(namespace: "scute", metricName: "policy_pushes", unitName: "total", helpText: "Policy messages sent to defenders")
        )
        failedLogins = registry.makeCounter(
            descriptor: .init(namespace: "scute", metricName: "failed_logins", unitName: "total", helpText: "Failed or throttled logins")
        )
        policyVersion = registry.makeGauge(
            descriptor: .init(namespace: "scute", metricName: "policy", unitName: "version", helpText: "Runtime policy version last seen")
        )
    }

    func text() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
