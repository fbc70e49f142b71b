/// The advisory lock that makes aggregation steps, rebuilds and flag reviews take turns.
public enum AggregationLock {
    public static let key: Int64 = 0x484C_4147_4752_4547
}
