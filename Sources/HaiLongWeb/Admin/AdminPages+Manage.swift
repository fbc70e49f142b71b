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

    static let manageStrings: [Language: [String: String]] = [
        .vi: [
            "manage_title": "Quản lý", "manage_link": "Quản lý", "hours_title": "Giờ làm việc",
            "hours_hint": "Ví dụ: mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30. Để trống: dùng giờ của cấp trên.",
            "hours_in_force_label": "Đang áp dụng", "hours_none": "chưa đặt (không gắn cờ ngoài giờ)",
            "hours_inherited_text": "kế thừa từ cấp trên", "counters_title": "Quầy", "code": "Mã", "name": "Tên",
            "on_duty": "Cán bộ đang trực", "nobody": "— không ai —", "add": "Thêm", "officer_title_label": "Chức danh",
            "photo": "Ảnh", "photo_hint": "JPEG, PNG hoặc WebP, tối đa 1 MB.", "upload": "Tải lên", "active": "Đang làm việc",
            "inactive": "Đã nghỉ", "deactivate": "Cho nghỉ", "activate": "Cho làm lại", "users_title": "Tài khoản",
            "role": "Vai trò", "locked": "đang bị khóa", "import_title": "Nhập từ tệp CSV (Excel: Lưu thành CSV UTF-8)",
            "import_officers": "Cán bộ (số hiệu, họ tên, chức danh, quầy, mã cơ quan)",
            "import_agencies": "Cơ quan (mã, tên, cấp trên, loại)", "file": "Tệp", "preview_button": "Xem trước",
            "import_button": "Nhập", "import_new": "thêm mới", "import_update": "cập nhật", "import_unchanged": "không đổi",
            "preview_title": "Xem trước", "preview_errors": "lỗi — sửa tệp rồi tải lên lại; chưa có gì được lưu.",
            "preview_nothing_text": "Tệp không có gì mới.", "row_label": "Dòng", "action_label": "Thao tác", "errors_label": "Lỗi",
            "pairing_text": "Mã ghép nối của thiết bị (chỉ hiện một lần, dùng trong 24 giờ):", "revoke": "Thu hồi",
            "label": "Tên thiết bị", "username_label": "Tên đăng nhập", "password_label": "Mật khẩu (ít nhất 12 ký tự)",
            "done_hours": "Đã lưu giờ làm việc.", "done_counter": "Đã thêm quầy.", "done_duty": "Đã đổi cán bộ trực.",
            "done_officer": "Đã thêm cán bộ.", "done_officer-status": "Đã đổi trạng thái cán bộ.", "done_photo": "Đã lưu ảnh.",
            "done_kiosk": "Đã thêm thiết bị.", "done_kiosk-revoke": "Đã thu hồi thiết bị.", "done_user": "Đã tạo tài khoản.",
            "done_import-apply": "Đã nhập tệp.", "save_label": "Lưu", "done_kiosk-label": "Đã đổi tên thiết bị.",
            "done_user-role": "Đã đổi vai trò.", "done_user-disable": "Đã khóa tài khoản.", "disable": "Khóa tài khoản",
            "disabled_text": "đã khóa", "role_label": "Vai trò của", "label_text": "Tên thiết bị",
        ],
        .en: [
            "manage_title": "Manage", "manage_link": "Manage", "hours_title": "Opening hours",
            "hours_hint": "For example: mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30. Empty: the parent agency's hours apply.",
            "hours_in_force_label": "In force", "hours_none": "not set (nothing is flagged outside hours)",
            "hours_inherited_text": "inherited from above", "counters_title": "Counters", "code": "Code", "name": "Name",
            "on_duty": "Officer on duty", "nobody": "— nobody —", "add": "Add", "officer_title_label": "Title", "photo": "Photo",
            "photo_hint": "JPEG, PNG or WebP, at most 1 MB.", "upload": "Upload", "active": "Working", "inactive": "Left",
            "deactivate": "Mark as left", "activate": "Mark as working", "users_title": "Accounts", "role": "Role",
            "locked": "locked", "import_title": "Import from a CSV file (Excel: Save As CSV UTF-8)",
            "import_officers": "Officers (badge, name, title, counter, agency)", "import_agencies": "Agencies (code, name, parent, kind)",
            "file": "File", "preview_button": "Preview", "import_button": "Import", "import_new": "new", "import_update": "update",
            "import_unchanged": "unchanged", "preview_title": "Preview",
            "preview_errors": "errors — fix the file and upload it again; nothing was stored.",
            "preview_nothing_text": "Nothing new in the file.", "row_label": "Row", "action_label": "Action", "errors_label": "Errors",
            "pairing_text": "The kiosk's pairing code (shown this once, valid for 24 hours):", "revoke": "Revoke",
            "label": "Kiosk name", "username_label": "Username", "password_label": "Password (at least 12 characters)",
            "done_hours": "Opening hours saved.", "done_counter": "Counter added.", "done_duty": "Officer on duty changed.",
            "done_officer": "Officer added.", "done_officer-status": "Officer's status changed.", "done_photo": "Photo saved.",
            "done_kiosk": "Kiosk added.", "done_kiosk-revoke": "Kiosk revoked.", "done_user": "Account created.",
            "done_import-apply": "File imported.", "save_label": "Save", "done_kiosk-label": "Kiosk renamed.",
            "done_user-role": "Role changed.", "done_user-disable": "Account disabled.", "disable": "Disable",
            "disabled_text": "disabled", "role_label": "Role of", "label_text": "Kiosk name",
        ],
    ]

    /// One form's hidden fields and start; `{{action}}` is the management action.
    static let manageTemplate =
        agencyHead + """
            {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
            {{#error}}<p class="message" role="alert" id="manage-error">{{error}}</p>{{/error}}
            {{#pairing_code}}<p class="notice" role="status" id="pairing">{{pairing_text}} <strong>{{pairing_label}}</strong>: <code id="pairing-code">{{pairing_code}}</code></p>{{/pairing_code}}
            {{#preview}}<section class="panel" id="import-preview"><h2>{{preview_title}}</h2>
            {{#preview_file_errors}}<p class="message" role="alert">{{text}}</p>{{/preview_file_errors}}
            {{#preview_error_count}}<p class="message" role="alert"><span id="preview-error-count">{{preview_error_count}}</span> {{preview_errors}}</p>{{/preview_error_count}}
            {{#preview_nothing}}<p>{{preview_nothing_text}}</p>{{/preview_nothing}}
            <table><thead><tr><th scope="col">{{row_label}}</th>{{#preview_columns}}<th scope="col">{{name}}</th>{{/preview_columns}}<th scope="col">{{action_label}}</th><th scope="col">{{errors_label}}</th></tr></thead><tbody>
            {{#preview_rows}}<tr{{#bad}} class="warn"{{/bad}}><td class="num">{{row}}</td>{{#cells}}<td>{{value}}</td>{{/cells}}<td>{{action}}</td><td>{{errors}}</td></tr>
            {{/preview_rows}}</tbody></table>
            {{#preview_ok}}{{#can_edit}}<form method="post" action="{{base}}/manage/import-apply?lang={{lang}}"><input type="hidden" name="csrf" value="{{csrf}}">\\
            <input type="hidden" name="kind" value="{{preview_kind}}"><textarea name="csv" hidden aria-hidden="true">{{preview_csv}}</textarea>\\
            <button type="submit" id="import-apply">{{import_button}}</button></form>{{/can_edit}}{{/preview_ok}}
            </section>{{/preview}}

            <section class="panel"><h2>{{hours_title}}</h2>
            <p>{{hours_in_force_label}}: <strong id="hours-in-force">{{hours_in_force}}</strong>{{#hours_inherited}} ({{hours_inherited_text}}){{/hours_inherited}}</p>
            {{#can_edit}}<form method="post" action="{{base}}/manage/hours?lang={{lang}}"><input type="hidden" name="csrf" value="{{csrf}}">
            <label for="opening-hours">{{hours_title}}</label><input id="opening-hours" name="opening_hours" value="{{own_hours}}" aria-describedby="hours-hint">
            <p id="hours-hint"><small>{{hours_hint}}</small></p><button type="submit">{{save_label}}</button></form>{{/can_edit}}
            </section>

            <section class="panel"><h2>{{counters_title}}</h2>
            <table id="counters"><thead><tr><th scope="col">{{code}}</th><th scope="col">{{name}}</th><th scope="col">{{on_duty}}</th></tr></thead><tbody>
            {{#counters}}<tr><td>{{code}}</td><td>{{name}}</td><td>{{#can_edit}}<form class="inline" method="post" action="{{base}}/manage/duty?lang={{lang}}">\\
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="counter" value="{{code}}">\\
            <label class="sr" for="duty-{{code}}">{{on_duty}} {{code}}</label><select id="duty-{{code}}" name="badge"><option value="">{{nobody}}</option>\\
            {{#officers}}<option value="{{badge}}"{{#selected}} selected{{/selected}}>{{name}} ({{badge}})</option>{{/officers}}</select> \\
            <button type="submit">{{save_label}}</button></form>{{/can_edit}}{{^can_edit}}{{on_duty}}{{/can_edit}}</td></tr>
            {{/counters}}</tbody></table>
            {{#can_edit}}<form class="filters" method="post" action="{{base}}/manage/counter?lang={{lang}}"><input type="hidden" name="csrf" value="{{csrf}}">
            <label for="counter-code">{{code}}</label><input id="counter-code" name="code" required size="8">
            <label for="counter-name">{{name}}</label><input id="counter-name" name="name" required>
            <button type="submit">{{add}}</button></form>{{/can_edit}}
            </section>

            <section class="panel"><h2>{{officers_title}}</h2>
            <table id="officer-list"><thead><tr><th scope="col">{{badge}}</th><th scope="col">{{officer_name}}</th><th scope="col">{{officer_title_label}}</th><th scope="col">{{counter}}</th><th scope="col">{{photo}}</th><th scope="col">{{status_label}}</th></tr></thead><tbody>
            {{#officers}}<tr><td>{{badge}}</td><td>{{name}}</td><td>{{title}}</td><td>{{counter}}</td>
            <td>{{#has_photo}}✓{{/has_photo}}{{#can_edit}}<form class="inline" method="post" enctype="multipart/form-data" action="{{base}}/manage/photo?lang={{lang}}">\\
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="badge" value="{{badge}}">\\
            <label class="sr" for="photo-{{badge}}">{{photo}} {{badge}}</label><input id="photo-{{badge}}" type="file" name="photo" accept="image/jpeg,image/png,image/webp"> \\
            <button type="submit">{{upload}}</button></form>{{/can_edit}}</td>
            <td>{{status}}{{#can_edit}} <form class="inline" method="post" action="{{base}}/manage/officer-status?lang={{lang}}"><input type="hidden" name="csrf" value="{{csrf}}">\\
            <input type="hidden" name="badge" value="{{badge}}">{{#active}}<input type="hidden" name="active" value="0"><button type="submit">{{deactivate}}</button>{{/active}}\\
            {{^active}}<input type="hidden" name="active" value="1"><button type="submit">{{activate}}</button>{{/active}}</form>{{/can_edit}}</td></tr>
            {{/officers}}</tbody></table>
            <p><small>{{photo_hint}}</small></p>
            {{#can_edit}}<form class="filters" method="post" action="{{base}}/manage/officer?lang={{lang}}"><input type="hidden" name="csrf" value="{{csrf}}">
            <label for="officer-badge">{{badge}}</label><input id="officer-badge" name="badge" required size="8">
            <label for="officer-name">{{officer_name}}</label><input id="officer-name" name="name" required>
            <label for="officer-title">{{officer_title_label}}</label><input id="officer-title" name="title">
            <label for="officer-counter">{{counter}}</label><select id="officer-counter" name="counter"><option value="">–</option>{{#counter_options}}<option value="{{code}}">{{name}} ({{code}})</option>{{/counter_options}}</select>
            <button type="submit">{{add}}</button></form>{{/can_edit}}
            </section>

            <section class="panel"><h2>{{kiosks_title}}</h2>
            <table id="kiosk-list"><thead><tr><th scope="col">{{kiosk_label}}</th><th scope="col">{{agency}}</th><th scope="col">{{counter}}</th><th scope="col">{{status_label}}</th><th scope="col">{{last_seen}}</th><th scope="col">{{queue}}</th><th scope="col">{{version}}</th></tr></thead><tbody>
            {{#kiosks}}<tr><td>{{#can_edit}}<form class="inline" method="post" action="{{base}}/manage/kiosk-label?lang={{lang}}"><input type="hidden" name="csrf" value="{{csrf}}">\\
            <input type="hidden" name="kiosk" value="{{id}}"><label class="sr" for="kiosk-label-{{id}}">{{label_text}}</label>\\
            <input id="kiosk-label-{{id}}" name="label" value="{{label}}" size="14" required> <button type="submit">{{save_label}}</button></form>{{/can_edit}}\\
            {{^can_edit}}{{label}}{{/can_edit}}</td><td>{{agency}}</td><td>{{counter}}</td><td>{{status}}{{#active}}{{#can_edit}} <form class="inline" method="post" action="{{base}}/manage/kiosk-revoke?lang={{lang}}">\\
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="kiosk" value="{{id}}"><button type="submit">{{revoke}}</button></form>{{/can_edit}}{{/active}}</td>\\
            <td>{{seen}}</td><td class="num">{{queue}}</td><td>{{version}}</td></tr>
            {{/kiosks}}</tbody></table>
            {{#can_edit}}<form class="filters" method="post" action="{{base}}/manage/kiosk?lang={{lang}}"><input type="hidden" name="csrf" value="{{csrf}}">
            <label for="kiosk-label">{{label}}</label><input id="kiosk-label" name="label" required>
            <label for="kiosk-counter">{{counter}}</label><select id="kiosk-counter" name="counter"><option value="">–</option>{{#counter_options}}<option value="{{code}}">{{name}} ({{code}})</option>{{/counter_options}}</select>
            <button type="submit">{{add}}</button></form>{{/can_edit}}
            </section>

            <section class="panel"><h2>{{users_title}}</h2>
            <table id="user-list"><thead><tr><th scope="col">{{username_label}}</th><th scope="col">{{role}}</th><th scope="col">{{agency}}</th></tr></thead><tbody>
            {{#users}}<tr><td>{{username}}{{#is_locked}} ({{locked}}){{/is_locked}}{{#disabled}} ({{disabled_text}}){{/disabled}}</td>\\
            <td>{{#editable}}{{#can_edit}}<form class="inline" method="post" action="{{base}}/manage/user-role?lang={{lang}}"><input type="hidden" name="csrf" value="{{csrf}}">\\
            <input type="hidden" name="username" value="{{username}}"><label class="sr" for="role-{{username}}">{{role_label}} {{username}}</label>\\
            <select id="role-{{username}}" name="role">{{#roles}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/roles}}</select> \\
            <button type="submit">{{save_label}}</button></form> <form class="inline" method="post" action="{{base}}/manage/user-disable?lang={{lang}}">\\
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="username" value="{{username}}"><button type="submit">{{disable}}</button></form>\\
            {{/can_edit}}{{^can_edit}}{{role}}{{/can_edit}}{{/editable}}{{^editable}}{{role}}{{/editable}}</td><td>{{agency}}</td></tr>
            {{/users}}</tbody></table>
            {{#can_edit}}<form class="filters" method="post" action="{{base}}/manage/user?lang={{lang}}"><input type="hidden" name="csrf" value="{{csrf}}">
            <label for="user-name">{{username_label}}</label><input id="user-name" name="username" required autocomplete="off">
            <label for="user-role">{{role}}</label><select id="user-role" name="role"><option value="agency_admin">{{role_agency_admin}}</option><option value="viewer">{{role_viewer}}</option><option value="par">{{role_par}}</option>{{#system_admin}}<option value="admin">{{role_admin}}</option>{{/system_admin}}</select>
            <label for="user-agency">{{agency}}</label><input id="user-agency" name="agency" value="{{agency_code}}" size="10">
            <label for="user-password">{{password_label}}</label><input id="user-password" name="password" type="password" required minlength="12" autocomplete="new-password">
            <button type="submit">{{add}}</button></form>{{/can_edit}}
            </section>

            {{#can_edit}}<section class="panel"><h2>{{import_title}}</h2>
            <form class="filters" method="post" enctype="multipart/form-data" action="{{base}}/manage/import?lang={{lang}}"><input type="hidden" name="csrf" value="{{csrf}}">
            <label for="import-kind">{{action_label}}</label><select id="import-kind" name="kind"><option value="officers">{{import_officers}}</option><option value="agencies">{{import_agencies}}</option></select>
            <label for="import-file">{{file}}</label><input id="import-file" type="file" name="file" accept=".csv,text/csv" required>
            <button type="submit" id="import-preview-button">{{preview_button}}</button></form>
            </section>{{/can_edit}}
            """
}
