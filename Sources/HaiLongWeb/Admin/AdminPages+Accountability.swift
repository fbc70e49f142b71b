import Foundation
import HaiLongCore
import HaiLongStore

/// The violations page's lists and forms as its template shows them.
struct ViolationsView {
    /// What the report form starts with: from a complaint (source, rating, officer), or what was sent when it is shown
    /// again with an error.
    struct Prefill {
        var source = ""
        var response = ""
        var officer: String?
        var norm = ""
        var inspection = ""
        var description = ""
        var date = ""
    }

    var language: Language
    var base: String
    var year: Int
    var norms: [ViolationNorm]
    var officers: [(id: Int64, badge: String, name: String, agency: String)]
    var inspections: [Inspection]
    var violations: [Violation]
    var files: [Int64: [(id: Int64, name: String)]]
    var prefill: Prefill

    func t(_ key: String) -> String { AdminPages.text(key, language) }

    func normName(_ code: String) -> String {
        norms.first { $0.code == code }.map { language == .vi ? $0.nameVi : $0.nameEn } ?? code
    }

    var values: [String: Any] {
        [
            "norms": norms.map {
                ["code": $0.code, "label": language == .vi ? $0.nameVi : $0.nameEn, "selected": $0.code == prefill.norm]
            },
            "officer_options": officers.map { officer -> [String: Any] in
                let value = "\(officer.agency)/\(officer.badge)"
                return [
                    "value": value, "label": "\(officer.name) (\(officer.badge) · \(officer.agency))", "selected": value == prefill.officer,
                ]
            },
            "sources": ViolationSource.allCases.map {
                ["value": $0.rawValue, "label": t("source_\($0.rawValue)"), "selected": $0.rawValue == prefill.source]
            },
            "inspection_options": inspections.map {
                [
                    "id": $0.id, "label": "#\($0.id) · \(AdminPages.day($0.heldOn, language)) · \($0.agencyCode)",
                    "selected": String($0.id) == prefill.inspection,
                ]
            },
            "prefill_response": prefill.response, "prefill_description": prefill.description, "prefill_date": prefill.date,
            "from_complaint": !prefill.response.isEmpty,
            "inspections": inspections.map { inspection -> [String: Any] in
                [
                    "id": inspection.id, "date": AdminPages.day(inspection.heldOn, language), "agency": inspection.agencyCode,
                    "kind": t("kind_\(inspection.kind)"), "team": inspection.team, "findings": inspection.findings ?? "",
                    "count": inspection.violations,
                ]
            },
            "inspections_empty": inspections.isEmpty,
            "violations": violations.map { violation -> [String: Any] in
                [
                    "id": violation.id, "date": AdminPages.day(violation.occurredOn, language), "agency": violation.agencyCode,
                    "badge": violation.badge, "officer": violation.officerName, "norm": normName(violation.norm),
                    "source": t("source_\(violation.source.rawValue)") + (violation.inspectionID.map { " #\($0)" } ?? ""),
                    "status": t("violation_\(violation.status.rawValue)"), "status_code": violation.status.rawValue,
                    "open": violation.status == .reported, "reason": violation.reason ?? "", "has_reason": violation.reason != nil,
                    "decided_by": violation.decidedBy ?? "",
                    "description": violation.description, "reported_by": violation.reportedBy,
                    "has_files": files[violation.id] != nil,
                    "files": (files[violation.id] ?? []).map { ["href": "\(base)/violations/files/\($0.id)", "name": $0.name] },
                ]
            },
            "violations_empty": violations.isEmpty,
        ]
    }
}

extension AdminPages {
    /// A day in the page's language: `dd/MM/yyyy` in Vietnamese, ISO in English.
    static func day(_ date: LocalDate, _ language: Language) -> String {
        language == .vi ? String(format: "%02d/%02d/%04d", date.day, date.month, date.year) : date.description
    }

    /// The officers' evaluation table: the rank, the figure (or "too few ratings"), violations, the ceiling and the
    /// commendation candidates, each with why.
    /// `page` of the evaluation's officers (a hundred to a page: a province's 10,000 made a 3.5 MB page), best first.
    static func evaluationRows(
        _ document: EvaluationReport.OfficerDocument, minimum: Int, page: Int = 1, base: String = "", language: Language
    ) -> [String: Any] {
        // The page's officers are cut first: formatting 10,000 rows to show 100 took most of the page's time.
        var items = document.items
        let pager = paginate(&items, page: page, base: base, text: "pager_officers", language: language)
        let rows = items.map { item -> [String: Any] in
            let confirmed = item.violations.filter { $0.status == "confirmed" }.count
            let pending = item.violations.filter { $0.status == "reported" }.count
            return [
                "rank": item.rank.map(String.init) ?? "–", "badge": item.badge, "name": item.name, "agency": item.agency,
                "n": whole(item.n, language),
                "sufficient": item.sufficient, "index": number(item.index, language),
                "ci": item.ci95.map { "\(number($0[0], language))–\(number($0[1], language))" } ?? "–",
                "confirmed": confirmed, "pending": pending, "capped": item.ceiling != nil, "candidate": item.candidate,
                "why": language == .vi ? item.why_vi : item.why,
            ]
        }
        return pager.merging([
            "officers": rows, "officers_empty": rows.isEmpty,
            "too_few_text": text("too_few", language).replacingOccurrences(of: "{min}", with: String(minimum)),
            "candidate_share": number(document.candidate_share * 100, language),
        ]) { $1 }
    }

    /// The emulation block's ranking: the members' figures, PAR points as a reference, confirmed violations.
    static func blockRows(_ document: EvaluationReport.BlockDocument, language: Language) -> [[String: Any]] {
        document.items.map { item -> [String: Any] in
            [
                "rank": item.rank.map(String.init) ?? "–", "agency": item.agency, "name": item.name, "n": whole(item.n, language),
                "sufficient": item.sufficient, "index": number(item.index, language),
                "ci": item.ci95.map { "\(number($0[0], language))–\(number($0[1], language))" } ?? "–",
                "par": number(item.par_points, language),
                "change": item.change.map { ($0 > 0 ? "+" : "") + number($0, language) } ?? "–",
                "response_rate": item.response_rate.map { number($0, language) + " %" } ?? "–",
                "violations": item.violations_confirmed, "published": item.published.map { "v\($0.version)" } ?? "–",
            ]
        }
    }
}
