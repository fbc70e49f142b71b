import Foundation
import HaiLongCore
import HaiLongStore

/// The management page's lists as its template shows them.
struct ManageView {
    var language: Language
    var agency: Agency
    var managed: ManagedAgency
    var kiosks: [KioskHealth]
    var timeZone: TimeZone

    var values: [String: Any] {
        let t = { (key: String) in AdminPages.text(key, language) }
        let counterOptions = managed.counters.map { ["code": $0.code, "name": $0.name] }
        return [
            "own_hours": managed.ownHours ?? "",
            "hours_in_force": managed.hoursInForce ?? t("hours_none"),
            "hours_inherited": managed.ownHours == nil && managed.hoursInForce != nil,
            "counters": managed.counters.map { counter -> [String: Any] in
                [
                    "code": counter.code, "name": counter.name, "on_duty": counter.onDuty ?? "–",
                    "officers": managed.officers.filter(\.active).map {
                        ["badge": $0.badge, "name": $0.name, "selected": $0.badge == counter.onDuty]
                    },
                ]
            },
            "counter_options": counterOptions,
            "officers": managed.officers.map { officer -> [String: Any] in
                [
                    "badge": officer.badge, "name": officer.name, "title": officer.title ?? "", "counter": officer.counter ?? "–",
                    "has_photo": officer.hasPhoto, "active": officer.active, "status": t(officer.active ? "active" : "inactive"),
                ]
            },
            "kiosks": kiosks.map { kiosk -> [String: Any] in
                [
                    "id": kiosk.id, "label": kiosk.label.isEmpty ? "#\(kiosk.id)" : kiosk.label, "agency": kiosk.agencyCode,
                    "counter": kiosk.counter ?? "–", "active": kiosk.active, "status": t(kiosk.active ? "kiosk_ok" : "kiosk_revoked"),
                    "seen": kiosk.lastSeenAt.map { AdminPages.dateTime($0, timeZone: timeZone) } ?? "–",
                    "queue": kiosk.queueLength.map(String.init) ?? "–", "version": kiosk.appVersion ?? "–",
                ]
            },
            "users": managed.users.map { user -> [String: Any] in
                [
                    "username": user.username, "role": t("role_\(user.role)"), "agency": user.agencyCode ?? "–",
                    "is_locked": user.lockedUntil.map { $0 > Date() } ?? false, "disabled": user.disabled,
                    "editable": !user.disabled && user.role != "admin",
                    "roles": ["agency_admin", "viewer", "par"].map {
                        ["value": $0, "label": t("role_\($0)"), "selected": $0 == user.role]
                    },
                ]
            },
        ]
    }
}

extension AdminPages {
    /// The preview of a CSV import: every row with what it would do, the errors by row and column, and the file
    /// itself in a hidden field for the "import" button.
    static func importPreview(_ plan: DirectoryImporter.Plan, text: String, language: Language) -> [String: Any] {
        let errorsByRow = Dictionary(grouping: plan.errors, by: \.row)
        return [
            "preview": true, "preview_kind": plan.kind.rawValue, "preview_csv": text,
            "preview_columns": plan.columns.map { ["name": $0] },
            "preview_rows": plan.rows.map { row -> [String: Any] in
                [
                    "row": row.row, "cells": row.values.map { ["value": $0] }, "action": AdminPages.text("import_\(row.action)", language),
                    "errors": (errorsByRow[row.row] ?? []).map { "\($0.column): \($0.reason)" }.joined(separator: "; "),
                    "bad": errorsByRow[row.row] != nil,
                ]
            },
            "preview_file_errors": (errorsByRow[1] ?? []).map { ["text": "\($0.column): \($0.reason)"] },
            "preview_error_count": plan.errors.count, "preview_ok": plan.canApply,
            "preview_nothing": plan.errors.isEmpty && !plan.canApply,
        ]
    }

    /// The management page's text (`manage` in `Resources/locales`); for a key in both tables, the templates get this
    /// one (`context(_:)`) and `text(_:_:)` the one in `strings`.
    static let manageStrings: [Language: [String: String]] = [
        .vi: WebResources.strings("manage", .vi), .en: WebResources.strings("manage", .en),
    ]
}
