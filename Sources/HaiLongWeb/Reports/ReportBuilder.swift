import Foundation
import HaiLongCore
import HaiLongStore

/// Fills a yearly report's figures: the index figures from the year's published snapshot (publishing the province's
/// snapshot when the year has none, and saying so in the report), the officers' bands and commendation candidates from
/// the evaluation support, the complaints, inspections and violations of the year, and for the consolidated report
/// every agency's line, its report's status and the emulation blocks' rankings.
struct ReportBuilder: Sendable {
    let indices: PostgresIndexStore
    let directory: PostgresDirectoryStore
    let reports: PostgresReportStore
    let evaluation: EvaluationReport
    var timeZone: TimeZone { evaluation.report.timeZone }

    static let questionnaire = "kiosk-3"

    /// The snapshot a report of `agency` uses, and the decoded document.
    struct Snapshot {
        var publication: Publication
        var document: IndicesDocument
        var publishedForReport: Bool
    }

    /// A report's content with an empty narrative, and the publication its figures come from.
    func content(kind: ReportKind, agency: Agency, year: Int, by actor: String) async throws -> (ReportContent, Publication) {
        let ancestors = try await self.ancestors(of: agency)
        let province = ancestors.last ?? agency
        let snapshot = try await snapshot(for: agency, ancestors: ancestors, province: province, year: year, by: actor)
        let items = snapshot.document.items
        guard let own = items.first(where: { $0.agency == agency.code }) else {
            throw ValidationError(field: "agency", reason: "the snapshot of \(year) has no figures for \(agency.code)")
        }
        let children = items.filter { $0.parent == agency.code }.map(Self.figure)
        let from = LocalDate(year: year, month: 1, day: 1)!.start(in: timeZone)
        let to = LocalDate(year: year + 1, month: 1, day: 1)!.start(in: timeZone)
        async let accountability = reports.accountability(under: agency, year: year, from: from, to: to)
        async let officers = officerBands(year: year, agency: agency)
        let reasonLabels = try await indices.questionnaire(code: Self.questionnaire)?.reasons ?? []
        let reasons = reasonLabels.compactMap { option -> ReportReason? in
            guard let share = own.reasons?[option.code] else { return nil }
            return ReportReason(code: option.code, label: option.text.vi, share: share)
        }
        .sorted { ($0.share, $1.code) > ($1.share, $0.code) }
        var content = ReportContent(
            kind: kind, year: year, agency: Self.figure(own), superior: ancestors.first.map(Self.issuer), snapshot: snapshot.info,
            children: children, officers: try await officers, reasons: reasons, accountability: try await accountability,
            narrative: ReportNarrative(), preparedAt: Timestamp.format(Date()), place: Self.place(province))
        if kind == .consolidated {
            content.superior = nil
            content.agencies = try await agencyLines(province: agency, year: year, items: items)
            content.blocks = try await blocks(province: agency, year: year)
            content.narrative = try await composedNarrative(province: agency, year: year)
        }
        return (content, snapshot.publication)
    }

    /// The agency's parent, its parent's parent, … up to the province (nearest first).
    func ancestors(of agency: Agency) async throws -> [Agency] {
        var found: [Agency] = []
        var next = agency.parentID
        while let id = next, found.count < 20, let parent = try await directory.agency(id: id) {
            found.append(parent)
            next = parent.parentID
        }
        return found
    }

    /// The newest published snapshot of the year holding the agency's figures (its own or one above it); without one,
    /// the province's whole tree is published now, so that every report of the province cites the same snapshot.
    func snapshot(for agency: Agency, ancestors: [Agency], province: Agency, year: Int, by actor: String) async throws -> Snapshot {
        var best: Snapshot?
        for candidate in [agency] + ancestors {
            guard
                let publication = try await indices.publication(
                    agencyID: candidate.id, period: String(year), questionnaire: Self.questionnaire, version: nil)
            else { continue }
            let document = try JSONDecoder().decode(IndicesDocument.self, from: Data(publication.document.utf8))
            guard document.items.contains(where: { $0.agency == agency.code }) else { continue }
            if best.map({ publication.publishedAt > $0.publication.publishedAt }) ?? true {
                best = Snapshot(publication: publication, document: document, publishedForReport: false)
            }
        }
        if let best { return best }
        guard let questionnaire = try await indices.questionnaire(code: Self.questionnaire) else {
            throw ValidationError(field: "questionnaire", reason: "the kiosk-3 questionnaire is missing")
        }
        let query = IndicesQuery(
            period: try Period.parse(String(year)), agency: province, depth: .all, questionnaire: questionnaire,
            methodology: try await indices.defaultMethodology())
        let publication = try await evaluation.report.publish(query, by: actor)
        let document = try JSONDecoder().decode(IndicesDocument.self, from: Data(publication.document.utf8))
        return Snapshot(publication: publication, document: document, publishedForReport: true)
    }

    static func figure(_ item: IndexItem) -> ReportFigure {
        ReportFigure(
            code: item.agency, name: item.name, n: item.n, index: item.index, ci95: item.ci95, sufficient: item.sufficient,
            parPoints: item.par_points, parMax: item.par_max, previousIndex: item.previous?.index, change: item.previous?.change,
            changeSignificant: item.previous?.significant, responseRate: item.credibility?.response_rate,
            excludedShare: item.credibility?.excluded_share, excluded: item.excluded)
    }

    /// "UBND TỈNH THÁI NGUYÊN" for a province, the name in capitals for any other body.
    static func issuer(_ agency: Agency) -> String {
        agency.kind == "province" ? "UBND " + agency.name.uppercased(with: Locale(identifier: "vi")) : agency.name.uppercased()
    }

    /// Where the province's documents are dated: its name without "Tỉnh" or "Thành phố".
    static func place(_ province: Agency) -> String {
        for prefix in ["Tỉnh ", "Thành phố ", "TP. "] where province.name.hasPrefix(prefix) {
            return String(province.name.dropFirst(prefix.count))
        }
        return province.name
    }

    func officerBands(year: Int, agency: Agency) async throws -> ReportOfficers {
        let document = try await evaluation.officers(year: year, agency: agency)
        var bands = [0, 0, 0, 0]
        for item in document.items where item.sufficient {
            if let index = item.index { bands[ReportOfficers.band(of: index)] += 1 }
        }
        return ReportOfficers(
            rated: document.items.filter { $0.n > 0 }.count, sufficient: document.items.filter(\.sufficient).count, bands: bands,
            capped: document.items.filter { $0.ceiling != nil }.count,
            candidates: document.items.filter(\.candidate).map { "\($0.badge) – \($0.name) (\($0.agency))" })
    }

    func agencyLines(province: Agency, year: Int, items: [IndexItem]) async throws -> [ReportAgencyLine] {
        let standings = try await reports.standings(province: province, year: year, within: nil)
        return standings.map { standing in
            let item = items.first { $0.agency == standing.agency.code }
            let figure =
                item.map(Self.figure)
                ?? ReportFigure(
                    code: standing.agency.code, name: standing.agency.name, n: 0, index: nil, ci95: nil, sufficient: false, parPoints: nil,
                    parMax: 10, previousIndex: nil, change: nil, changeSignificant: nil, responseRate: nil, excludedShare: nil, excluded: 0)
            return ReportAgencyLine(figure: figure, status: standing.state, version: standing.latest?.version)
        }
    }

    /// The year's emulation blocks whose members all lie in the province, ranked.
    func blocks(province: Agency, year: Int) async throws -> [ReportBlock] {
        var ranked: [ReportBlock] = []
        for block in try await evaluation.emulation.blocks(year: year)
        where try await EvaluationController.allWithin(block.members, scope: province.id, directory: directory) {
            let document = try await evaluation.emulation(year: year, block: block)
            ranked.append(
                ReportBlock(
                    code: block.code, name: block.name,
                    members: document.items.map { .init(rank: $0.rank, code: $0.agency, name: $0.name, n: $0.n, index: $0.index) }))
        }
        return ranked
    }

    /// Each narrative section composed from the accepted agency reports: a paragraph per agency that wrote one.
    func composedNarrative(province: Agency, year: Int) async throws -> ReportNarrative {
        var narrative = ReportNarrative()
        for standing in try await reports.standings(province: province, year: year, within: nil) where standing.state == "accepted" {
            guard let text = standing.latest?.content.narrative else { continue }
            for field in ReportNarrative.fields {
                let section = text[field].trimmingCharacters(in: .whitespacesAndNewlines)
                guard !section.isEmpty else { continue }
                narrative[field] += (narrative[field].isEmpty ? "" : "\n") + "\(standing.agency.name): \(section)"
            }
        }
        return narrative
    }
}

extension ReportBuilder.Snapshot {
    var info: ReportSnapshot {
        ReportSnapshot(
            agency: publication.agencyCode, period: publication.period, questionnaire: publication.questionnaire,
            version: publication.version, sha256: publication.contentHash, publishedAt: Timestamp.format(publication.publishedAt),
            publishedBy: publication.publishedBy, methodology: "\(publication.methodologyCode) v\(publication.methodologyVersion)",
            publishedForReport: publishedForReport)
    }
}
