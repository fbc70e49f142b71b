/// Comparisons of secrets (CSRF tokens, signatures) whose time does not depend on where they first differ, so a
/// client cannot find a secret byte by byte by timing its guesses. Only the length may show.
public enum ConstantTime {
    public static func equals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(lhs, rhs) { difference |= a ^ b }
        return difference == 0
    }

    /// Two strings as their UTF-8 bytes; `nil` (a missing form field) equals nothing.
    public static func equals(_ lhs: String?, _ rhs: String) -> Bool {
        guard let lhs else { return false }
        return equals(Array(lhs.utf8), Array(rhs.utf8))
    }
}
