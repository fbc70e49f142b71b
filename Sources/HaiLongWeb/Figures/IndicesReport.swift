import Foundation
import HaiLongCore
import HaiLongStore

/// What figures are asked for.
public struct IndicesQuery: Sendable {
    public var period: Period
    public var agency: Agency
    public var depth: Depth
    public var questionnaire: Questionnaire
    public var methodology: Methodology
    /// `.none`: one item per agency; else the agency broken down by officer, counter or channel.
    public var grouping: Grouping
    /// `false`: the items leave out what the agency page does not show of a breakdown's members, the previous period
    /// and the reasons (for a province's 10,000 officers, one read of every officer's cells instead of two, and fewer).
    public var details = true

    public init(
        period: Period, agency: Agency, depth: Depth, questionnaire: Questionnaire, methodology: Methodology, grouping: Grouping = .none
    ) {
        self.period = period
        self.agency = agency
        self.depth = depth
        self.questionnaire = questionnaire
        self.methodology = methodology
        self.grouping = grouping
    }
}

/// Builds the indices document from the count cube: figures, the previous period, credibility and reasons. Shared by
/// `GET /api/v1/indices`, the publication API and `hailong publish`.
public struct IndicesReport: Sendable {
    let indices: PostgresIndexStore
    let timeZone: TimeZone

    public init(indices: PostgresIndexStore, timeZone: TimeZone) {
        self.indices = indices
        self.timeZone = timeZone
    }

    /// The other questionnaire a kiosk-vs-web gap compares with.
    static func counterpart(of code: String) -> String? {
        switch code {
        case "kiosk-3": "sipas-5"
        case "sipas-5": "kiosk-3"
        default: nil
        }
    }

    public func document(_ query: IndicesQuery) async throws -> IndicesDocument {
        let questionnaire = query.questionnaire
        let methodology = query.methodology
        let agencies: [Agency] =
            query.grouping == .none
            ? try await indices.agencies(under: query.agency, depth: query.depth, period: query.period) : [query.agency]
        let codes = Dictionary(uniqueKeysWithValues: agencies.map { ($0.id, $0.code) })
        // The period, the previous one and (for agencies) the other channel's questionnaire are read at the same time,
        // on connections of their own: on a large cube each is a scan of its own, and the machine has more than one core.
        let previousPeriod = query.period.previous
        let indices = self.indices
        let details = query.details
        async let currentCounts = indices.figureCounts(
            for: agencies, period: query.period, questionnaire: questionnaire.code, methodology: methodology, grouping: query.grouping,
            reasons: details)
        async let previousCounts =
            details
            ? indices.figureCounts(
                for: agencies, period: previousPeriod, questionnaire: questionnaire.code, methodology: methodology,
                grouping: query.grouping) : [:]
        let otherQuestionnaire: Questionnaire? =
            if query.grouping == .none, let code = Self.counterpart(of: questionnaire.code) {
                try await indices.questionnaire(code: code)
            } else {
                nil
            }
        async let otherCounts = Self.counts(
            indices, agencies, query.period, questionnaire: otherQuestionnaire?.code, methodology: methodology)
        let (current, previous, other) = try await (currentCounts, previousCounts, otherCounts)

        var items: [IndexItem] = []
        switch query.grouping {
        case .none:
            let dossiers = try await indices.dossiersServed(for: agencies, period: query.period, timeZone: timeZone)
            for agency in agencies {
                let key = CountKey(agencyID: agency.id)
                let counts = current[key] ?? FigureCounts()
                let figure = QuestionnaireFigure(counts: counts, questionnaire: questionnaire, methodology: methodology)
                var item = IndexItem(
                    agency: agency, parent: agency.parentID.flatMap { codes[$0] }, group: nil, figure: figure, hidden: false)
                if details {
                    item.previous = Self.previous(figure, previous[key], questionnaire, methodology, previousPeriod)
                    item.reasons = Self.reasons(counts, questionnaire)
                }
                var gap: Double?
                if let otherQuestionnaire, let otherCounts = other[key], let index = figure.index {
                    let otherFigure = QuestionnaireFigure(counts: otherCounts, questionnaire: otherQuestionnaire, methodology: methodology)
                    if let otherIndex = otherFigure.index {
                        gap = questionnaire.kind == .kiosk ? index - otherIndex : otherIndex - index
                    }
                }
                item.credibility = Self.credibility(counts, figure, dossiers: dossiers[agency.id], kioskWebGap: gap)
                items.append(item)
            }
        case .officer, .counter, .channel, .day, .month:
            let ids = current.keys.compactMap { Int64($0.group) }.filter { $0 != 0 }
            let members = try await indices.named(query.grouping, ids: ids)
            for (key, counts) in current {
                let figure = QuestionnaireFigure(counts: counts, questionnaire: questionnaire, methodology: methodology)
                let member = Int64(key.group).flatMap { members[$0] }
                let group: IndexItem.Group =
                    switch query.grouping {
                    case .channel, .day, .month: .init(code: key.group, name: nil)
                    default: .init(code: member?.code ?? "", name: member?.name, agency: member?.agencyCode)
                    }
                // Below the sufficiency threshold an officer's figure is too noisy to judge a person by.
                let hidden = query.grouping == .officer && !figure.sufficient
                var item = IndexItem(
                    agency: query.agency, parent: nil, group: group, figure: figure, hidden: hidden)
                if !hidden && details {
                    item.previous = Self.previous(figure, previous[key], questionnaire, methodology, previousPeriod)
                    item.reasons = Self.reasons(counts, questionnaire)
                }
                items.append(item)
            }
            // Ranked: the sufficient figures, best first; then the rest by size; ties by code, then by the group's
            // agency (a badge repeats from one agency to the next), so that the order does not depend on the counts'
            // hashing. Sorted by their keys, then moved once: sorting a province's 10,000 items themselves was a tenth of
            // its page's time.
            let keys = items.map {
                (
                    ranked: $0.sufficient && !$0.hidden, index: $0.index ?? 0, n: $0.n, code: $0.group?.code ?? "",
                    agency: $0.group?.agency ?? ""
                )
            }
            let order = keys.indices.sorted { a, b in
                let (lhs, rhs) = (keys[a], keys[b])
                switch (lhs.ranked, rhs.ranked) {
                case (true, true): return (lhs.index, rhs.code, rhs.agency) > (rhs.index, lhs.code, lhs.agency)
                case (true, false): return true
                case (false, true): return false
                case (false, false): return (lhs.n, rhs.code, rhs.agency) > (rhs.n, lhs.code, lhs.agency)
                }
            }
            items = order.map { items[$0] }
            var rank = 0
            for index in items.indices where items[index].sufficient && !items[index].hidden {
                rank += 1
                items[index].rank = rank
            }
        }
        return IndicesDocument(
            period: .init(label: query.period.label, from: query.period.first.description, to: query.period.last.description),
            questionnaire: questionnaire.code,
            methodology: .init(code: methodology.code, version: methodology.version),
            as_of: try await indices.asOf().map(Timestamp.format), published: false, publication: nil,
            group: query.grouping == .none ? nil : query.grouping.rawValue, items: items)
    }

    /// The agencies' counts of `questionnaire` in `period` (none without a questionnaire).
    static func counts(
        _ indices: PostgresIndexStore, _ agencies: [Agency], _ period: Period, questionnaire: String?, methodology: Methodology
    ) async throws -> [CountKey: FigureCounts] {
        guard let questionnaire else { return [:] }
        return try await indices.figureCounts(
            for: agencies, period: period, questionnaire: questionnaire, methodology: methodology, grouping: .none)
    }

    /// Freezes the figures `query` asks for as the next published version (the API and `hailong publish`).
    public func publish(_ query: IndicesQuery, by publisher: String) async throws -> Publication {
        // What the primary holds, whatever the replica has replayed.
        var figures = try await IndicesReport(indices: indices.onPrimary, timeZone: timeZone).document(query)
        figures.published = true
        let document = figures
        let now = Date()
        return try await indices.publish(
            agencyID: query.agency.id, period: query.period.label, questionnaire: query.questionnaire.code,
            methodology: query.methodology, asOf: document.as_of.flatMap(Timestamp.parse(_:)), publishedBy: publisher
        ) { version in
            var stored = document
            stored.publication = .init(version: version, published_at: Timestamp.format(now), published_by: publisher)
            return try stored.jsonText()
        }
    }

    static func previous(
        _ figure: QuestionnaireFigure, _ counts: FigureCounts?, _ questionnaire: Questionnaire, _ methodology: Methodology,
        _ period: Period
    ) -> IndexItem.Previous {
        let before = QuestionnaireFigure(counts: counts ?? FigureCounts(), questionnaire: questionnaire, methodology: methodology)
        let change = IndexChange(current: figure.index, currentN: figure.n, previous: before.index, previousN: before.n)
        return IndexItem.Previous(
            period: period.label, n: before.n, index: before.index?.roundedHalfUp(), change: change?.change.roundedHalfUp(),
            significant: change?.significant)
    }

    /// Percent of valid not-satisfied ratings naming each reason (kiosk questionnaires with a checklist).
    static func reasons(_ counts: FigureCounts, _ questionnaire: Questionnaire) -> [String: Double]? {
        guard !questionnaire.reasons.isEmpty, let question = questionnaire.sections.lazy.flatMap(\.questions).first else {
            return nil
        }
        var notSatisfied = 0
        for (level, count) in counts.validByQuestion[question.code] ?? [:] where !questionnaire.scale.isSatisfied(level) {
            notSatisfied += count
        }
        guard notSatisfied > 0 else { return [:] }
        var shares = [String: Double](minimumCapacity: questionnaire.reasons.count)
        for reason in questionnaire.reasons {
            shares[reason.code] = (100 * Double(counts.reasons[reason.code] ?? 0) / Double(notSatisfied)).roundedHalfUp()
        }
        return shares
    }

    static func credibility(_ counts: FigureCounts, _ figure: QuestionnaireFigure, dossiers: Int?, kioskWebGap: Double?)
        -> IndexItem.Credibility
    {
        let responses = counts.respondents + counts.excluded
        return IndexItem.Credibility(
            response_rate: dossiers.flatMap { $0 > 0 ? (100 * Double(responses) / Double($0)).roundedHalfUp() : nil },
            dossiers: dossiers,
            low_share: figure.lowShare.map { (100 * $0).roundedHalfUp() },
            excluded_share: responses > 0 ? (100 * Double(counts.excluded) / Double(responses)).roundedHalfUp() : nil,
            excluded_by_flag: Dictionary(uniqueKeysWithValues: counts.excludedByFlag.map { ($0.key.rawValue, $0.value) }),
            kiosk_web_gap: kioskWebGap?.roundedHalfUp())
    }

    /// Each agency of `query` (its agency and, by depth, those below it) whose code is in `codes` with its index per
    /// month of the period (per day for a period of two months or less): the sparklines of the overview's page. One read
    /// of the cube for them all.
    func sparklines(_ query: IndicesQuery, only codes: Set<String>) async throws -> [String: [Double?]] {
        let agencies = try await indices.agencies(under: query.agency, depth: query.depth, period: query.period)
            .filter { codes.contains($0.code) }
        guard !agencies.isEmpty else { return [:] }
        let by = query.period.dayCount > 62 ? "month" : "day"
        // Summed by month in the database when by month: a year of 1,000 agencies by day is 365,000 groups to send.
        let counts = try await indices.figureCounts(
            for: agencies, period: query.period, questionnaire: query.questionnaire.code, methodology: query.methodology,
            grouping: by == "month" ? .month : .day, reasons: false)
        var buckets: [Period] = []
        var day = query.period.first
        while day <= query.period.last {
            let bucket = Self.bucket(of: day, by: by, within: query.period)
            buckets.append(bucket)
            day = bucket.last.adding(days: 1)
        }
        var lines: [String: [Double?]] = [:]
        for agency in agencies {
            lines[agency.code] = buckets.map { bucket in
                // A month's bucket is labelled YYYY-MM, a day's YYYY-MM-DD: the group keys of the two groupings.
                let cell = counts[CountKey(agencyID: agency.id, group: bucket.label)] ?? FigureCounts()
                return QuestionnaireFigure(counts: cell, questionnaire: query.questionnaire, methodology: query.methodology).index
            }
        }
        return lines
    }

    /// The index of `query`'s agency per day, ISO week or month (`by`) of its period. By month, the cube is summed by
    /// month in the database (whole months from the monthly cube): a province's year by day was 365 days × its 1,000
    /// agencies' cells to send and add up here.
    func trend(_ query: IndicesQuery, by: String) async throws -> [Trend.Point] {
        let byMonth = by == "month"
        let cells = try await indices.figureCounts(
            for: [query.agency], period: query.period, questionnaire: query.questionnaire.code, methodology: query.methodology,
            grouping: byMonth ? .month : .day, reasons: false)
        var series: [Trend.Point] = []
        var day = query.period.first
        while day <= query.period.last {
            let bucket = Self.bucket(of: day, by: by, within: query.period)
            var counts = FigureCounts()
            if byMonth {
                counts = cells[CountKey(agencyID: query.agency.id, group: bucket.label)] ?? counts
            } else {
                var cursor = bucket.first
                while cursor <= bucket.last {
                    if let cell = cells[CountKey(agencyID: query.agency.id, group: cursor.description)] { counts = counts + cell }
                    cursor = cursor.adding(days: 1)
                }
            }
            let figure = QuestionnaireFigure(counts: counts, questionnaire: query.questionnaire, methodology: query.methodology)
            series.append(
                Trend.Point(
                    label: bucket.label, from: bucket.first.description, to: bucket.last.description, n: figure.n,
                    index: figure.index?.roundedHalfUp(),
                    ci95: figure.ci95.map { [$0.lowerBound.roundedHalfUp(), $0.upperBound.roundedHalfUp()] },
                    sufficient: figure.sufficient))
            day = bucket.last.adding(days: 1)
        }
        return series
    }

    /// The day, ISO week or month holding `day`, cut to the period.
    static func bucket(of day: LocalDate, by: String, within period: Period) -> Period {
        var first = day
        var last = day
        var label = day.description
        switch by {
        case "week":
            first = day.adding(days: 1 - day.isoWeekday)
            last = first.adding(days: 6)
            let thursday = first.adding(days: 3)
            let week = (thursday.dayNumber - LocalDate(year: thursday.year, month: 1, day: 1)!.dayNumber) / 7 + 1
            label = String(format: "%04d-W%02d", thursday.year, week)
        case "month":
            first = LocalDate(year: day.year, month: day.month, day: 1)!
            last = LocalDate(year: day.year, month: day.month, day: LocalDate.daysIn(month: day.month, year: day.year))!
            label = String(format: "%04d-%02d", day.year, day.month)
        default:
            break
        }
        return Period(label: label, first: max(first, period.first), last: min(last, period.last))
    }
}

struct Trend: Encodable, Sendable {
    struct Point: Encodable, Sendable {
        var label: String
        var from: String
        var to: String
        var n: Int
        var index: Double?
        var ci95: [Double]?
        var sufficient: Bool

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(label, forKey: .label)
            try container.encode(from, forKey: .from)
            try container.encode(to, forKey: .to)
            try container.encode(n, forKey: .n)
            try container.encode(index, forKey: .index)
            try container.encode(ci95, forKey: .ci95)
            try container.encode(sufficient, forKey: .sufficient)
        }

        enum CodingKeys: String, CodingKey { case label, from, to, n, index, ci95, sufficient }
    }
    var agency: String
    var questionnaire: String
    var methodology: IndicesDocument.MethodologyInfo
    var by: String
    var series: [Point]
}
