import Hummingbird
import Prometheus

/// What `/metrics` exposes (Prometheus text format): ratings accepted by channel, replayed, and rejected by the
/// field at fault; how long storing takes; and the aggregation backlog, read when scraped.
public final class AppMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let replayed: Counter
    let storeDuration: DurationHistogram
    let backlog: Gauge
    let batchSize: ValueHistogram
    let commitDuration: DurationHistogram
    let readsFromReplica: Gauge

    public init() {
        replayed = registry.makeCounter(
            descriptor: Self.metric("hailong_responses_replayed_total", help: "Idempotent replays answered from storage"))
        storeDuration = registry.makeDurationHistogram(
            descriptor: Self.metric("hailong_response_store_seconds", help: "Time to store one response, commit included"),
            buckets: [
                .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .seconds(1),
            ])
        batchSize = registry.makeValueHistogram(
            descriptor: Self.metric("hailong_ingest_batch_size", help: "Responses written per group-commit batch"),
            buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256])
        commitDuration = registry.makeDurationHistogram(
            descriptor: Self.metric("hailong_ingest_commit_seconds", help: "Time to write and commit one group-commit batch"),
            buckets: [
                .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                .milliseconds(100), .seconds(1),
            ])
        backlog = registry.makeGauge(
            descriptor: Self.metric("hailong_aggregation_backlog", help: "Stored responses not yet in the figures"))
        readsFromReplica = registry.makeGauge(
            descriptor: Self.metric(
                "hailong_reads_from_replica", help: "1 while the figures are read from the DATABASE_READ_URL replica, else 0"))
    }

    func accepted(channel: String) {
        registry.makeCounter(
            descriptor: Self.metric("hailong_responses_accepted_total", help: "Responses stored"), labels: [("channel", channel)]
        ).increment()
    }

    func rejected(field: String) {
        registry.makeCounter(
            descriptor: Self.metric("hailong_responses_rejected_total", help: "Responses refused, by field at fault"),
            labels: [("field", field)]
        )
        .increment()
    }

    /// Records one group-commit batch (the store's `onBatch`).
    public func batch(size: Int, duration: Duration) {
        batchSize.record(Double(size))
        commitDuration.record(duration)
    }

    func render() -> String { registry.emitToString() }

    /// A metric's full name as one part (the exposition shows it as given) and its help text.
    static func metric(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
