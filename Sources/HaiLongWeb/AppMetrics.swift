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

    public init() {
        replayed = registry.makeCounter(name: "hailong_responses_replayed_total", help: "Idempotent replays answered from storage")
        storeDuration = registry.makeDurationHistogram(
            name: "hailong_response_store_seconds",
            buckets: [
                .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .seconds(1),
            ],
            help: "Time to store one response, commit included")
        batchSize = registry.makeValueHistogram(
            name: "hailong_ingest_batch_size", buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
            help: "Responses written per group-commit batch")
        commitDuration = registry.makeDurationHistogram(
            name: "hailong_ingest_commit_seconds",
            buckets: [
                .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                .milliseconds(100), .seconds(1),
            ],
            help: "Time to write and commit one group-commit batch")
        backlog = registry.makeGauge(name: "hailong_aggregation_backlog", help: "Stored responses not yet in the figures")
    }

    func accepted(channel: String) {
        registry.makeCounter(name: "hailong_responses_accepted_total", labels: [("channel", channel)], help: "Responses stored").increment()
    }

    func rejected(field: String) {
        registry.makeCounter(
            name: "hailong_responses_rejected_total", labels: [("field", field)], help: "Responses refused, by field at fault"
        )
        .increment()
    }

    /// Records one group-commit batch (the store's `onBatch`).
    public func batch(size: Int, duration: Duration) {
        batchSize.record(Double(size))
        commitDuration.record(duration)
    }

    func render() -> String { registry.emitToString() }
}
