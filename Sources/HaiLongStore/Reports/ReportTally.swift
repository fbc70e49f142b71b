/// How many of the agencies that owe a province a report of the year have sent it.
public struct ReportTally: Sendable, Equatable {
    /// The agencies that owe a report: the province's direct children.
    public var total: Int
    /// Those whose newest version is submitted or accepted (a returned report being redrafted is not).
    public var submitted: Int
    /// Those whose newest version is accepted.
    public var accepted: Int

    public init(total: Int, submitted: Int, accepted: Int) {
        self.total = total
        self.submitted = submitted
        self.accepted = accepted
    }
}
