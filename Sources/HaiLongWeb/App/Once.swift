/// A value computed on first use and kept (a failed attempt is retried next time).
actor Once<Value: Sendable> {
    var value: Value?

    func value(_ make: @Sendable () async throws -> Value) async throws -> Value {
        if let value { return value }
        let made = try await make()
        value = made
        return made
    }
}
