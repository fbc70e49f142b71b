import Foundation
import HaiLongCore

/// The layout as a printable HTML page (`report_document.mustache`, its own A4 print style): what the report pages
/// show and what headless Chromium prints to PDF.
extension ReportLayout {
    func html(draftNotice: String?) -> String {
        let blocks = self.blocks.map { block -> [String: Any] in
            switch block {
            case .heading(let text): ["heading": text]
            case .subheading(let text): ["subheading": text]
            case .paragraph(let text): ["paragraph": text]
            case .placeholder(let text): ["placeholder": text]
            case .table(let header, let rows, let widths):
                [
                    "table": [
                        "widths": widths.map { ["mm": VietnameseNumber.integer(Int($0.rounded()))] },
                        "header": header.map { ["text": $0] },
                        "rows": rows.map { row in
                            [
                                "cells": row.map { text in ["text": text, "numeric": Self.looksNumeric(text)] as [String: Any] }
                            ]
                        },
                    ] as [String: Any]
                ]
            }
        }
        var values: [String: Any] = [
            "issuer": issuer, "number": number, "national_title": Self.nationalTitle, "motto": Self.motto,
            "place_date": placeDate, "title": title, "summary": summary, "blocks": blocks,
            "trace": trace, "recipients": recipients.map { ["text": $0] },
            "signer_title": signerTitle.split(separator: "\n").map { ["text": String($0)] }, "signer_note": signerNote,
            "signer_name": signerName,
        ]
        // Set only when present: an absent optional in the context would print as "nil".
        values["superior"] = superior
        values["addressee"] = addressee
        values["draft"] = draftNotice
        return AdminPages.library.render(values, withTemplate: "report_document") ?? ""
    }
}
