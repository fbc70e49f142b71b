import Hummingbird

/// `GET /openapi.yaml`: the OpenAPI 3.1 description of every `/api/v1` route and of the operational endpoints,
/// kept in the binary (no resource files). `Tests/HaiLongWebTests/OpenAPIDriftTests.swift` checks that the routes the
/// router registers and the `paths` of this document agree, so a new route must be documented here.
///
/// Field names are the ones the code reads (the validators in HaiLongCore, the controllers) and writes (their
/// `Encodable` structs): change both together.
public enum OpenAPIDocument {
    /// Served as is, with no authentication.
    public static func addRoutes(to router: Router<some RequestContext>) {
        router.get("openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(string: yaml)))
        }
    }

    public static let yaml = #"""
        openapi: 3.1.0
        info:
          title: HaiLong API
          version: "1"
          summary: Đo lường sự hài lòng của người dân tại bộ phận một cửa · Citizen satisfaction at one-stop counters
          description: |
            HaiLong ("hài lòng" = satisfied) stores citizens' ratings of the officers at Vietnam's one-stop counters
            (kiosk taps, web surveys, integrations) and serves satisfaction indices per agency and period.

            HaiLong lưu đánh giá của người dân về cán bộ tại bộ phận một cửa (kiosk, phiếu khảo sát trực tuyến, hệ thống
            tích hợp) và cung cấp chỉ số hài lòng theo cơ quan và kỳ.

            **Tokens / mã truy cập** — every `/api/v1` route but `POST /api/v1/kiosk/pair` needs
            `Authorization: Bearer <token>`. The kinds of token are:
            - *kiosk* — a paired kiosk device (`hailong kiosk add`, then `POST /api/v1/kiosk/pair`); its agency and counter
              are where its ratings belong.
            - *integration* — `hailong token add --role integration [--agency C]`: the one-stop system (dossiers, ratings,
              survey links).
            - *par* — `hailong token add --role par [--agency C]`: the PAR office reading figures.
            - *admin* — `hailong token add --role admin [--agency C]`: reading and publishing figures, survey links.

            A token made with `--agency C` is scoped to C's subtree: asking for an agency outside it is 403.
            Each operation's `security` lists the kinds it accepts (any one of them); a missing or unknown token is 401,
            a token of another kind 403.

            **Errors / lỗi** — every error is `application/problem+json` (RFC 9457) naming the body field, header or
            query parameter at fault in `field`. Bodies are limited to 16 KiB (413). A database that does not answer, or
            a request that waits on it past its deadline, is 503 with `Retry-After`; never a bare 500.

            **Times / thời gian** — the server writes UTC with milliseconds (`2026-11-23T01:15:00.123Z`); it reads
            ISO 8601 with an offset (`2026-11-23T08:15:00+07:00`). Periods are local days in `HAILONG_TIMEZONE`
            (Asia/Ho_Chi_Minh by default).
          license:
            name: Proprietary
        servers:
          - url: /
            description: this server
        tags:
          - name: responses
            description: Đánh giá · ratings
          - name: dossiers
            description: Hồ sơ từ hệ thống một cửa · served dossiers
          - name: kiosk
            description: Thiết bị kiosk · the counter kiosk device
          - name: survey
            description: Phiếu khảo sát trực tuyến · the web survey
          - name: figures
            description: Chỉ số hài lòng, công bố · satisfaction figures and publication
          - name: operations
            description: Vận hành · health, metrics, this document
        security: []
        paths:
          /healthz:
            get:
              tags: [operations]
              operationId: healthz
              summary: The process is up · Tiến trình đang chạy
              security: []
              responses:
                "200":
                  description: Always `ok`.
                  content:
                    text/plain:
                      schema: { type: string, const: "ok\n" }
                "500": { $ref: "#/components/responses/InternalError" }
          /readyz:
            get:
              tags: [operations]
              operationId: readyz
              summary: The database answers and the schema is current · Sẵn sàng nhận yêu cầu
              security: []
              responses:
                "200":
                  description: Ready.
                  content:
                    text/plain:
                      schema: { type: string, const: "ready\n" }
                "500": { $ref: "#/components/responses/InternalError" }
                "503": { $ref: "#/components/responses/ServiceUnavailable" }
          /metrics:
            get:
              tags: [operations]
              operationId: metrics
              summary: Prometheus metrics · Số đo cho Prometheus
              description: |
                Text exposition format 0.0.4: `hailong_responses_accepted_total{channel}`, `hailong_responses_replayed_total`,
                `hailong_responses_rejected_total{field}`, `hailong_response_store_seconds`, `hailong_ingest_batch_size`,
                `hailong_ingest_commit_seconds`, `hailong_aggregation_backlog`.
              security: []
              responses:
                "200":
                  description: The metrics.
                  content:
                    text/plain:
                      schema: { type: string }
                "500": { $ref: "#/components/responses/InternalError" }
          /openapi.yaml:
            get:
              tags: [operations]
              operationId: openapi
              summary: This document · Tài liệu này
              security: []
              responses:
                "200":
                  description: The OpenAPI 3.1 document.
                  content:
                    application/yaml:
                      schema: { type: string }
                "500": { $ref: "#/components/responses/InternalError" }

          /api/v1/responses:
            post:
              tags: [responses]
              operationId: createResponse
              summary: Store one rating · Ghi nhận một đánh giá
              description: |
                Tokens: a **kiosk** token, or an **integration** token made with `--agency` (a province-wide integration
                token, par and admin tokens are 403). The agency, counter and kiosk come from the token, never from the
                body; channel `kiosk` for kiosk tokens, `api` for integration tokens.

                Idempotent: the response's id is the `Idempotency-Key`. The same key with the same body again gives the
                same 201 body (byte for byte); the same key with another body is 422 naming `Idempotency-Key`.
                Acknowledged only after the row is committed.

                `submitted_at` (the tap) must lie within [received − 7 days, received + 5 min]; the response belongs to
                the period of its local day.
              security:
                - kioskToken: []
                - integrationToken: []
              parameters:
                - $ref: "#/components/parameters/IdempotencyKey"
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { $ref: "#/components/schemas/ResponseSubmission" }
                    examples:
                      kiosk:
                        summary: A not-satisfied kiosk tap · Chưa hài lòng
                        value:
                          questionnaire: kiosk-3
                          officer: B-0042
                          dossier: HS-2026-000123
                          answers: { overall: 1, reasons: [xin_chao] }
                          comment: Chờ hơi lâu
                          submitted_at: "2026-11-23T08:15:00+07:00"
                      sipas:
                        summary: A SIPAS web survey (criteria may be skipped)
                        value:
                          questionnaire: sipas-5
                          answers: { tiep_can.1: 5, tiep_can.2: 4, thu_tuc.1: 4, cong_chuc.1: 5, ket_qua.1: 3, pakn.1: 4 }
                          submitted_at: "2026-11-23T08:15:00+07:00"
              responses:
                "201":
                  description: Stored (or a replay of the same key and body).
                  content:
                    application/json:
                      schema: { $ref: "#/components/schemas/ResponseCreated" }
                "400": { $ref: "#/components/responses/BadRequest" }
                "401": { $ref: "#/components/responses/Unauthorized" }
                "403": { $ref: "#/components/responses/Forbidden" }
                "413": { $ref: "#/components/responses/ContentTooLarge" }
                "422": { $ref: "#/components/responses/UnprocessableContent" }
                "500": { $ref: "#/components/responses/InternalError" }
                "503": { $ref: "#/components/responses/ServiceUnavailable" }

          /api/v1/dossiers:
            post:
              tags: [dossiers]
              operationId: recordDossier
              summary: Report a served dossier · Báo hồ sơ đã tiếp nhận/trả kết quả
              description: |
                Tokens: an **integration** token made with `--agency` (the dossier belongs to that agency).
                The dossiers give response-rate denominators and link ratings to real dossiers (and to the officer when
                the kiosk did not name one). Reporting the same `code` again updates it: given fields replace stored ones,
                absent fields keep them.
              security:
                - integrationToken: []
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { $ref: "#/components/schemas/DossierReport" }
              responses:
                "200":
                  description: An existing dossier was updated (`created` false).
                  content:
                    application/json:
                      schema: { $ref: "#/components/schemas/DossierRecorded" }
                "201":
                  description: A new dossier (`created` true).
                  content:
                    application/json:
                      schema: { $ref: "#/components/schemas/DossierRecorded" }
                "400": { $ref: "#/components/responses/BadRequest" }
                "401": { $ref: "#/components/responses/Unauthorized" }
                "403": { $ref: "#/components/responses/Forbidden" }
                "404":
                  description: "`counter` is not a counter of the token's agency (field `counter`)."
                  content:
                    application/problem+json:
                      schema: { $ref: "#/components/schemas/Problem" }
                "413": { $ref: "#/components/responses/ContentTooLarge" }
                "422": { $ref: "#/components/responses/UnprocessableContent" }
                "500": { $ref: "#/components/responses/InternalError" }
                "503": { $ref: "#/components/responses/ServiceUnavailable" }

          /api/v1/kiosk/pair:
            post:
              tags: [kiosk]
              operationId: pairKiosk
              summary: Exchange a pairing code for a kiosk token · Ghép nối kiosk
              description: |
                No token: the 8-digit pairing code printed by `hailong kiosk add` (single use, valid 24 h; spaces and
                dashes are ignored) gives a fresh device token. Rate-limited per client address (10 at once, then one
                every 6 s): 429 with `Retry-After`.
              security: []
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { $ref: "#/components/schemas/PairRequest" }
              responses:
                "200":
                  description: Paired; the token is shown this once.
                  content:
                    application/json:
                      schema: { $ref: "#/components/schemas/Paired" }
                "400": { $ref: "#/components/responses/BadRequest" }
                "413": { $ref: "#/components/responses/ContentTooLarge" }
                "422": { $ref: "#/components/responses/UnprocessableContent" }
                "429": { $ref: "#/components/responses/TooManyRequests" }
                "500": { $ref: "#/components/responses/InternalError" }
                "503": { $ref: "#/components/responses/ServiceUnavailable" }

          /api/v1/kiosk/config:
            get:
              tags: [kiosk]
              operationId: kioskConfig
              summary: What the kiosk shows · Cấu hình kiosk
              description: |
                Tokens: **kiosk**. The kiosk's agency and counter, the counter's officers, the officer on duty, the
                `kiosk-3` questionnaire and the server's clock.
              security:
                - kioskToken: []
              responses:
                "200":
                  description: The configuration.
                  content:
                    application/json:
                      schema: { $ref: "#/components/schemas/KioskConfig" }
                "401": { $ref: "#/components/responses/Unauthorized" }
                "403": { $ref: "#/components/responses/Forbidden" }
                "500": { $ref: "#/components/responses/InternalError" }
                "503": { $ref: "#/components/responses/ServiceUnavailable" }

          /api/v1/kiosk/on-duty:
            put:
              tags: [kiosk]
              operationId: setOnDuty
              summary: Set the officer on duty at the kiosk's counter · Cán bộ đang trực
              description: "Tokens: **kiosk**. `badge` null clears it."
              security:
                - kioskToken: []
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { $ref: "#/components/schemas/OnDutyRequest" }
              responses:
                "200":
                  description: The officer now on duty.
                  content:
                    application/json:
                      schema: { $ref: "#/components/schemas/OnDuty" }
                "400": { $ref: "#/components/responses/BadRequest" }
                "401": { $ref: "#/components/responses/Unauthorized" }
                "403": { $ref: "#/components/responses/Forbidden" }
                "413": { $ref: "#/components/responses/ContentTooLarge" }
                "422": { $ref: "#/components/responses/UnprocessableContent" }
                "500": { $ref: "#/components/responses/InternalError" }
                "503": { $ref: "#/components/responses/ServiceUnavailable" }

          /api/v1/kiosk/officers/{badge}/photo:
            get:
              tags: [kiosk]
              operationId: officerPhoto
              summary: An officer's photo · Ảnh cán bộ
              description: "Tokens: **kiosk** of the officer's agency (the `photo_url` of `GET /api/v1/kiosk/config`)."
              security:
                - kioskToken: []
              parameters:
                - name: badge
                  in: path
                  required: true
                  description: The officer's badge code · Mã cán bộ
                  schema: { type: string, maxLength: 64 }
              responses:
                "200":
                  description: The photo, in its stored media type; `Cache-Control private, max-age=3600`.
                  content:
                    image/*:
                      schema: { type: string, contentMediaType: "image/*" }
                "401": { $ref: "#/components/responses/Unauthorized" }
                "403": { $ref: "#/components/responses/Forbidden" }
                "404": { $ref: "#/components/responses/NotFound" }
                "500": { $ref: "#/components/responses/InternalError" }
                "503": { $ref: "#/components/responses/ServiceUnavailable" }

          /api/v1/kiosk/heartbeat:
            post:
              tags: [kiosk]
              operationId: kioskHeartbeat
              summary: Kiosk heartbeat · Tín hiệu hoạt động
              description: "Tokens: **kiosk**. Records last seen, the offline queue length and the app version."
              security:
                - kioskToken: []
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { $ref: "#/components/schemas/Heartbeat" }
              responses:
                "200":
                  description: Recorded; the server's clock.
                  content:
                    application/json:
                      schema: { $ref: "#/components/schemas/HeartbeatAck" }
                "400": { $ref: "#/components/responses/BadRequest" }
                "401": { $ref: "#/components/responses/Unauthorized" }
                "403": { $ref: "#/components/responses/Forbidden" }
                "413": { $ref: "#/components/responses/ContentTooLarge" }
                "422": { $ref: "#/components/responses/UnprocessableContent" }
                "500": { $ref: "#/components/responses/InternalError" }
                "503": { $ref: "#/components/responses/ServiceUnavailable" }

          /api/v1/survey-links:
            post:
              tags: [survey]
              operationId: makeSurveyLink
              summary: A signed web-survey link for a receipt or SMS · Liên kết khảo sát có chữ ký
              description: |
                Tokens: **integration** or **admin** (a scoped token only for agencies in its subtree; `agency` defaults
                to the token's own). The link is signed (HMAC over agency, dossier, officer and expiry) and works once per
                dossier. `url` is the path and query; the host is the caller's.
              security:
                - integrationToken: []
                - adminToken: []
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { $ref: "#/components/schemas/SurveyLinkRequest" }
              responses:
                "201":
                  description: The link.
                  content:
                    application/json:
                      schema: { $ref: "#/components/schemas/SurveyLink" }
                "400": { $ref: "#/components/responses/BadRequest" }
                "401": { $ref: "#/components/responses/Unauthorized" }
                "403": { $ref: "#/components/responses/Forbidden" }
                "413": { $ref: "#/components/responses/ContentTooLarge" }
                "422": { $ref: "#/components/responses/UnprocessableContent" }
                "500": { $ref: "#/components/responses/InternalError" }
                "503": { $ref: "#/components/responses/ServiceUnavailable" }

          /api/v1/indices:
            get:
              tags: [figures]
              operationId: getIndices
              summary: Satisfaction figures · Chỉ số hài lòng
              description: |
                Tokens: **par** or **admin** (scoped tokens see their subtree only).

                Live figures from the count cube, pooled over each agency's subtree (`depth`), or broken down by officer,
                counter or channel (`group`; officer figures below the sufficiency threshold are `hidden`, and only
                sufficient figures are ranked). With `published=latest|N`, a frozen publication of the period is served:
                as JSON its stored bytes exactly (`ETag` = its SHA-256 content hash), or as CSV/XLSX.

                CSV is UTF-8 with a byte-order mark (Excel); `headers=vi` gives Vietnamese column names.
                Numbers are rounded half-up to 2 decimals. An empty period gives `n` 0 and `sufficient` false.
              security:
                - parToken: []
                - adminToken: []
              parameters:
                - $ref: "#/components/parameters/Period"
                - $ref: "#/components/parameters/Agency"
                - name: depth
                  in: query
                  description: "0: the agency only; 1: and its children; all: the whole subtree (each pooled over its own subtree)."
                  schema: { type: string, enum: ["0", "1", all], default: "0" }
                - $ref: "#/components/parameters/Questionnaire"
                - $ref: "#/components/parameters/Methodology"
                - name: group
                  in: query
                  description: Break the agency down instead of listing agencies · Phân theo cán bộ, quầy, kênh.
                  schema: { type: string, enum: [officer, counter, channel] }
                - name: format
                  in: query
                  schema: { type: string, enum: [json, csv, xlsx], default: json }
                - name: headers
                  in: query
                  description: Column names of CSV/XLSX · Tên cột tiếng Việt (vi) hoặc tiếng Anh (en).
                  schema: { type: string, enum: [vi, en], default: en }
                - name: published
                  in: query
                  description: Serve a publication of this period, agency and questionnaire instead of live figures.
                  schema:
                    oneOf:
                      - { type: string, const: latest }
                      - { type: string, pattern: "^[1-9][0-9]*$" }
              responses:
                "200":
                  description: The figures.
                  headers:
                    ETag:
                      description: With `published` and JSON, the publication's content hash (quoted).
                      schema: { type: string }
                  content:
                    application/json:
                      schema: { $ref: "#/components/schemas/IndicesDocument" }
                    text/csv:
                      schema: { type: string }
                    application/vnd.openxmlformats-officedocument.spreadsheetml.sheet:
                      schema: { type: string, contentMediaType: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet }
                "400": { $ref: "#/components/responses/BadRequest" }
                "401": { $ref: "#/components/responses/Unauthorized" }
                "403": { $ref: "#/components/responses/Forbidden" }
                "404": { $ref: "#/components/responses/NotFound" }
                "422": { $ref: "#/components/responses/UnprocessableContent" }
                "500": { $ref: "#/components/responses/InternalError" }
                "503": { $ref: "#/components/responses/ServiceUnavailable" }

          /api/v1/indices/trend:
            get:
              tags: [figures]
              operationId: getTrend
              summary: The index per day, ISO week or month · Xu hướng
              description: |
                Tokens: **par** or **admin** (scoped). One point per bucket, cut to the period (at most 800 days).
              security:
                - parToken: []
                - adminToken: []
              parameters:
                - $ref: "#/components/parameters/Period"
                - $ref: "#/components/parameters/Agency"
                - $ref: "#/components/parameters/Questionnaire"
                - $ref: "#/components/parameters/Methodology"
                - name: by
                  in: query
                  schema: { type: string, enum: [day, week, month], default: month }
              responses:
                "200":
                  description: The series.
                  content:
                    application/json:
                      schema: { $ref: "#/components/schemas/Trend" }
                "400": { $ref: "#/components/responses/BadRequest" }
                "401": { $ref: "#/components/responses/Unauthorized" }
                "403": { $ref: "#/components/responses/Forbidden" }
                "404": { $ref: "#/components/responses/NotFound" }
                "422": { $ref: "#/components/responses/UnprocessableContent" }
                "500": { $ref: "#/components/responses/InternalError" }
                "503": { $ref: "#/components/responses/ServiceUnavailable" }

          /api/v1/publications:
            post:
              tags: [figures]
              operationId: publish
              summary: Freeze a period's figures into a publication · Công bố số liệu
              description: |
                Tokens: **admin** (scoped to its subtree). Freezes the figures of the agency's whole subtree for the
                period into the next version (immutable; earlier versions are kept; audited). Read them back with
                `GET /api/v1/indices?…&published=N` (`url`).
              security:
                - adminToken: []
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { $ref: "#/components/schemas/PublicationRequest" }
              responses:
                "201":
                  description: The new publication.
                  content:
                    application/json:
                      schema: { $ref: "#/components/schemas/Publication" }
                "400": { $ref: "#/components/responses/BadRequest" }
                "401": { $ref: "#/components/responses/Unauthorized" }
                "403": { $ref: "#/components/responses/Forbidden" }
                "404": { $ref: "#/components/responses/NotFound" }
                "413": { $ref: "#/components/responses/ContentTooLarge" }
                "422": { $ref: "#/components/responses/UnprocessableContent" }
                "500": { $ref: "#/components/responses/InternalError" }
                "503": { $ref: "#/components/responses/ServiceUnavailable" }

          /api/v1/agencies:
            get:
              tags: [figures]
              operationId: getAgencies
              summary: The agency tree · Cây cơ quan
              description: |
                Tokens: **par**, **admin** or **integration**. The tree under `agency`; by default the caller's scope (every
                root for a province-wide token). Merged agencies are left out from the day they were merged.
              security:
                - parToken: []
                - adminToken: []
                - integrationToken: []
              parameters:
                - name: agency
                  in: query
                  description: The root agency's code; by default the token's scope.
                  schema: { type: string }
              responses:
                "200":
                  description: The trees.
                  content:
                    application/json:
                      schema: { $ref: "#/components/schemas/AgencyTree" }
                "400": { $ref: "#/components/responses/BadRequest" }
                "401": { $ref: "#/components/responses/Unauthorized" }
                "403": { $ref: "#/components/responses/Forbidden" }
                "404": { $ref: "#/components/responses/NotFound" }
                "500": { $ref: "#/components/responses/InternalError" }
                "503": { $ref: "#/components/responses/ServiceUnavailable" }

          /api/v1/questionnaires/{code}:
            get:
              tags: [figures]
              operationId: getQuestionnaire
              summary: A questionnaire's newest version · Bộ câu hỏi
              description: "Tokens: **par**, **admin** or **integration**. Scale, elements, wording, reasons."
              security:
                - parToken: []
                - adminToken: []
                - integrationToken: []
              parameters:
                - name: code
                  in: path
                  required: true
                  description: "`kiosk-3`, `sipas-5` or a province's own."
                  schema: { type: string }
              responses:
                "200":
                  description: The questionnaire.
                  content:
                    application/json:
                      schema: { $ref: "#/components/schemas/Questionnaire" }
                "401": { $ref: "#/components/responses/Unauthorized" }
                "403": { $ref: "#/components/responses/Forbidden" }
                "404": { $ref: "#/components/responses/NotFound" }
                "500": { $ref: "#/components/responses/InternalError" }
                "503": { $ref: "#/components/responses/ServiceUnavailable" }

        components:
          securitySchemes:
            kioskToken:
              type: http
              scheme: bearer
              description: A kiosk device token (`hailong kiosk add`, or `POST /api/v1/kiosk/pair`).
            integrationToken:
              type: http
              scheme: bearer
              description: An API token of role `integration` (`hailong token add --role integration [--agency C]`).
            parToken:
              type: http
              scheme: bearer
              description: An API token of role `par` (`hailong token add --role par [--agency C]`).
            adminToken:
              type: http
              scheme: bearer
              description: An API token of role `admin` (`hailong token add --role admin [--agency C]`).

          parameters:
            IdempotencyKey:
              name: Idempotency-Key
              in: header
              required: true
              description: A UUID chosen by the client for this rating; it becomes the response's id. Missing or not a UUID is 400.
              schema: { type: string, format: uuid }
            Period:
              name: period
              in: query
              required: true
              description: |
                `YYYY`, `YYYY-Qn`, `YYYY-MM`, `YYYY-Www` (ISO week), `YYYY-MM-DD`, or `FROM..TO` of any of those, in local
                days. Missing or not a period: 400 naming `period`.
              schema: { type: string, examples: ["2026", "2026-Q3", "2026-09", "2026-W40", "2026-09-30", "2026-01..2026-03-15"] }
            Agency:
              name: agency
              in: query
              description: An agency code; required for a province-wide token, by default the token's own agency.
              schema: { type: string }
            Questionnaire:
              name: questionnaire
              in: query
              description: The questionnaire code (unknown is 400).
              schema: { type: string, default: kiosk-3 }
            Methodology:
              name: methodology
              in: query
              description: "`CODE` or `CODE:VERSION`; by default the methodology marked default (unknown is 400)."
              schema: { type: string, examples: ["default", "default:1"] }

          headers:
            RetryAfter:
              description: Seconds to wait before retrying.
              schema: { type: integer, minimum: 1 }

          responses:
            BadRequest:
              description: Bad input (a malformed body, header or query parameter; an unknown query parameter) · Yêu cầu sai.
              content:
                application/problem+json:
                  schema: { $ref: "#/components/schemas/Problem" }
            Unauthorized:
              description: No bearer token, or an unknown or revoked one (field `Authorization`) · Thiếu hoặc sai mã truy cập.
              headers:
                WWW-Authenticate:
                  schema: { type: string }
              content:
                application/problem+json:
                  schema: { $ref: "#/components/schemas/Problem" }
            Forbidden:
              description: A token of a kind this route does not take, or an agency outside the token's scope · Không có quyền.
              content:
                application/problem+json:
                  schema: { $ref: "#/components/schemas/Problem" }
            NotFound:
              description: Not found (the field names what) · Không tìm thấy.
              content:
                application/problem+json:
                  schema: { $ref: "#/components/schemas/Problem" }
            ContentTooLarge:
              description: The body is larger than 16 KiB (field `body`).
              content:
                application/problem+json:
                  schema: { $ref: "#/components/schemas/Problem" }
            UnprocessableContent:
              description: A field's value is not acceptable (the field is named, e.g. `answers.overall`) · Dữ liệu không hợp lệ.
              content:
                application/problem+json:
                  schema: { $ref: "#/components/schemas/Problem" }
            TooManyRequests:
              description: Too many requests from this address · Quá nhiều yêu cầu.
              headers:
                Retry-After: { $ref: "#/components/headers/RetryAfter" }
              content:
                application/problem+json:
                  schema: { $ref: "#/components/schemas/Problem" }
            InternalError:
              description: An unexpected error, logged with the request id (never a bare 500).
              content:
                application/problem+json:
                  schema: { $ref: "#/components/schemas/Problem" }
            ServiceUnavailable:
              description: The database does not answer (or the schema is not current) · Cơ sở dữ liệu tạm thời không sẵn sàng.
              headers:
                Retry-After: { $ref: "#/components/headers/RetryAfter" }
              content:
                application/problem+json:
                  schema: { $ref: "#/components/schemas/Problem" }

          schemas:
            Problem:
              type: object
              description: RFC 9457 problem details.
              required: [type, title, status, detail]
              properties:
                type: { type: string, const: "about:blank" }
                title: { type: string, description: The status's reason phrase. }
                status: { type: integer }
                detail: { type: string }
                field: { type: string, description: "The body field (dotted, e.g. `answers.reasons[0]`), header or query parameter at fault." }
                instance: { type: string, description: The request path. }
            Timestamp:
              type: string
              format: date-time
              description: UTC with milliseconds, e.g. `2026-11-23T01:15:00.123Z`.
            Flag:
              type: string
              enum: [rapid_repeat, duplicate_dossier, test, outside_hours, late, no_dossier, unknown_officer, streak]
            Code:
              type: string
              minLength: 1
              maxLength: 64
            LocalizedText:
              type: object
              required: [vi, en]
              properties:
                vi: { type: string }
                en: { type: string }

            ResponseSubmission:
              type: object
              additionalProperties: false
              required: [questionnaire, answers, submitted_at]
              properties:
                questionnaire: { allOf: [{ $ref: "#/components/schemas/Code" }], description: "`kiosk-3`, `sipas-5`, …" }
                officer: { type: [string, "null"], minLength: 1, maxLength: 64, description: "The officer's badge (unknown badges are kept, flagged `unknown_officer`)." }
                dossier: { type: [string, "null"], minLength: 1, maxLength: 64, description: The dossier code (links the rating to a reported dossier). }
                answers:
                  type: object
                  description: |
                    Question code → level of the questionnaire's scale (`overall` 1–3 for `kiosk-3`; `tiep_can.1`…`pakn.3`
                    1–5 for `sipas-5`, each optional), plus `reasons`: the "4 xin, 4 luôn" codes, only for a not-satisfied
                    rating.
                  properties:
                    reasons:
                      type: array
                      items:
                        type: string
                        enum: [xin_chao, xin_loi, xin_cam_on, xin_phep, luon_mim_cuoi, luon_nhe_nhang, luon_lang_nghe, luon_giup_do, khac]
                  additionalProperties: { type: integer }
                  minProperties: 1
                comment: { type: [string, "null"], maxLength: 1000 }
                submitted_at: { type: string, format: date-time, description: "The tap, ISO 8601 with an offset: 2026-11-23T08:15:00+07:00." }
                contact:
                  type: [object, "null"]
                  description: A phone number for a call-back, only with consent; stored encrypted, and refused (422) when the server has no `HAILONG_DATA_KEY`.
                  additionalProperties: false
                  required: [phone, consent]
                  properties:
                    phone: { type: string, description: "A Vietnamese number, e.g. `0912 345 678` or `+84 912 345 678`." }
                    consent: { type: boolean, const: true }
            ResponseCreated:
              type: object
              required: [id, received_at, flags]
              properties:
                id: { type: string, format: uuid, description: "The Idempotency-Key, lower case." }
                received_at: { $ref: "#/components/schemas/Timestamp" }
                flags: { type: array, items: { $ref: "#/components/schemas/Flag" } }

            DossierReport:
              type: object
              additionalProperties: false
              required: [code]
              properties:
                code: { $ref: "#/components/schemas/Code" }
                counter: { type: [string, "null"], minLength: 1, maxLength: 64, description: A counter code of the token's agency. }
                officer: { type: [string, "null"], minLength: 1, maxLength: 64, description: The officer's badge. }
                received_at: { type: [string, "null"], format: date-time, description: ISO 8601 with an offset. }
                returned_at: { type: [string, "null"], format: date-time, description: ISO 8601 with an offset; not before `received_at`. }
            DossierRecorded:
              type: object
              required: [id, code, created]
              properties:
                id: { type: integer, format: int64 }
                code: { type: string }
                created: { type: boolean }

            PairRequest:
              type: object
              additionalProperties: false
              required: [code]
              properties:
                code: { type: string, description: The 8-digit pairing code (spaces and dashes allowed), examples: ["1234-5678"] }
            KioskRef:
              type: object
              required: [id, label]
              properties:
                id: { type: integer, format: int64 }
                label: { type: string }
            Paired:
              type: object
              required: [token, kiosk]
              properties:
                token: { type: string, description: The kiosk's bearer token. }
                kiosk: { $ref: "#/components/schemas/KioskRef" }
            Place:
              type: object
              required: [code, name]
              properties:
                code: { type: string }
                name: { type: string }
            KioskConfig:
              type: object
              required: [kiosk, agency, counter, officers, on_duty, questionnaire, server_time]
              properties:
                kiosk: { $ref: "#/components/schemas/KioskRef" }
                agency: { $ref: "#/components/schemas/Place" }
                counter:
                  oneOf:
                    - { $ref: "#/components/schemas/Place" }
                    - { type: "null" }
                officers:
                  type: array
                  items:
                    type: object
                    required: [badge, name, title, photo_url]
                    properties:
                      badge: { type: string }
                      name: { type: string }
                      title: { type: [string, "null"] }
                      photo_url: { type: [string, "null"], description: "`/api/v1/kiosk/officers/{badge}/photo` when the officer has a photo." }
                on_duty: { type: [string, "null"], description: The badge of the officer on duty. }
                questionnaire: { $ref: "#/components/schemas/Questionnaire" }
                server_time: { $ref: "#/components/schemas/Timestamp" }
            OnDutyRequest:
              type: object
              additionalProperties: false
              required: [badge]
              properties:
                badge: { type: [string, "null"], minLength: 1, maxLength: 64 }
            OnDuty:
              type: object
              required: [on_duty]
              properties:
                on_duty: { type: [string, "null"] }
            Heartbeat:
              type: object
              additionalProperties: false
              required: [queue_length]
              properties:
                queue_length: { type: integer, minimum: 0, maximum: 1000000, description: Ratings waiting in the kiosk's offline queue. }
                app_version: { type: string, minLength: 1, maxLength: 32 }
            HeartbeatAck:
              type: object
              required: [kiosk, server_time]
              properties:
                kiosk: { type: integer, format: int64, description: The kiosk's id. }
                server_time: { $ref: "#/components/schemas/Timestamp" }

            SurveyLinkRequest:
              type: object
              additionalProperties: false
              properties:
                agency: { type: [string, "null"], description: The agency's code; by default the token's own. }
                dossier: { type: [string, "null"], description: The dossier code (the link then works once). }
                officer: { type: [string, "null"], description: The officer's badge. }
                valid_days: { type: integer, minimum: 1, maximum: 365, default: 30 }
            SurveyLink:
              type: object
              required: [url, expires_at]
              properties:
                url: { type: string, description: "Path and query: `/s/{agency}?t=…`.", examples: ["/s/DEMO.STP?t=…"] }
                expires_at: { $ref: "#/components/schemas/Timestamp" }

            PeriodInfo:
              type: object
              required: [label, from, to]
              properties:
                label: { type: string }
                from: { type: string, format: date, description: First local day. }
                to: { type: string, format: date, description: Last local day (inclusive). }
            MethodologyInfo:
              type: object
              required: [code, version]
              properties:
                code: { type: string }
                version: { type: integer }
            PublicationInfo:
              type: object
              required: [version, published_at, published_by]
              properties:
                version: { type: integer }
                published_at: { $ref: "#/components/schemas/Timestamp" }
                published_by: { type: string }
            IndicesDocument:
              type: object
              required: [period, questionnaire, methodology, published, items]
              properties:
                period: { $ref: "#/components/schemas/PeriodInfo" }
                questionnaire: { type: string }
                methodology: { $ref: "#/components/schemas/MethodologyInfo" }
                as_of: { allOf: [{ $ref: "#/components/schemas/Timestamp" }], description: The newest response counted; absent before the first aggregation. }
                published: { type: boolean }
                publication: { $ref: "#/components/schemas/PublicationInfo" }
                group: { type: string, enum: [officer, counter, channel], description: Present when the items break the agency down. }
                items: { type: array, items: { $ref: "#/components/schemas/IndexItem" } }
            IndexItem:
              type: object
              description: |
                One agency (pooled over its subtree) or one group of it. Every key is present; values without a figure are
                null. Percentages are 0–100, rounded half-up to 2 decimals.
              required: [agency, name, parent, group, n, satisfied, index, ci95, mean, elements, criteria, excluded, sufficient,
                par_points, par_max, hidden, rank, reasons, previous, credibility]
              properties:
                agency: { type: string }
                name: { type: string }
                parent: { type: [string, "null"], description: The parent agency's code. }
                group:
                  oneOf:
                    - type: object
                      required: [code]
                      properties:
                        code: { type: string, description: "Badge, counter code or channel." }
                        name: { type: string }
                    - { type: "null" }
                n: { type: integer, description: Valid respondents (not excluded). }
                satisfied: { type: integer }
                index: { type: [number, "null"] }
                ci95:
                  type: [array, "null"]
                  description: Wilson 95% interval [lo, hi].
                  items: { type: number }
                  minItems: 2
                  maxItems: 2
                mean: { type: [number, "null"] }
                elements: { type: object, additionalProperties: { type: number }, description: "Element code → index (`sipas-5`: tiep_can, thu_tuc, cong_chuc, ket_qua, pakn); {} for one-question questionnaires." }
                criteria: { type: [object, "null"], additionalProperties: { type: number } }
                excluded: { type: integer }
                sufficient: { type: boolean, description: "n ≥ the methodology's minimum (30 by default)." }
                par_points: { type: [number, "null"], description: "par_max × min(1, index ÷ full_at)." }
                par_max: { type: number }
                hidden: { type: boolean, description: "An officer figure below the sufficiency threshold (no index, no rank)." }
                rank: { type: [integer, "null"], description: "1 = best, among the sufficient figures of a breakdown." }
                reasons: { type: [object, "null"], additionalProperties: { type: number }, description: Percent of not-satisfied kiosk ratings naming each reason. }
                previous:
                  oneOf:
                    - type: object
                      required: [period, n]
                      properties:
                        period: { type: string }
                        n: { type: integer }
                        index: { type: number }
                        change: { type: number }
                        significant: { type: boolean, description: Two-proportion z-test at 95%. }
                    - { type: "null" }
                credibility:
                  oneOf:
                    - type: object
                      required: [response_rate, dossiers, low_share, excluded_share, excluded_by_flag, kiosk_web_gap]
                      properties:
                        response_rate: { type: [number, "null"], description: Responses ÷ dossiers served (percent). }
                        dossiers: { type: [integer, "null"] }
                        low_share: { type: [number, "null"] }
                        excluded_share: { type: [number, "null"] }
                        excluded_by_flag: { type: object, additionalProperties: { type: integer } }
                        kiosk_web_gap: { type: [number, "null"] }
                    - { type: "null" }
            Trend:
              type: object
              required: [agency, questionnaire, methodology, by, series]
              properties:
                agency: { type: string }
                questionnaire: { type: string }
                methodology: { $ref: "#/components/schemas/MethodologyInfo" }
                by: { type: string, enum: [day, week, month] }
                series:
                  type: array
                  items:
                    type: object
                    required: [label, from, to, n, index, ci95, sufficient]
                    properties:
                      label: { type: string, examples: ["2026-09-30", "2026-W40", "2026-09"] }
                      from: { type: string, format: date }
                      to: { type: string, format: date }
                      n: { type: integer }
                      index: { type: [number, "null"] }
                      ci95: { type: [array, "null"], items: { type: number }, minItems: 2, maxItems: 2 }
                      sufficient: { type: boolean }
            PublicationRequest:
              type: object
              additionalProperties: false
              required: [period]
              properties:
                period: { type: string }
                agency: { type: string, description: Required for a province-wide token. }
                questionnaire: { type: string, default: kiosk-3 }
                methodology: { type: string, description: "`CODE` or `CODE:VERSION`." }
            Publication:
              type: object
              required: [id, agency, period, questionnaire, version, methodology, published_at, published_by, content_hash, url]
              properties:
                id: { type: integer, format: int64 }
                agency: { type: string }
                period: { type: string }
                questionnaire: { type: string }
                version: { type: integer }
                methodology: { $ref: "#/components/schemas/MethodologyInfo" }
                published_at: { $ref: "#/components/schemas/Timestamp" }
                published_by: { type: string }
                content_hash: { type: string, description: SHA-256 (hex) of the stored JSON document. }
                url: { type: string, description: The `GET /api/v1/indices` query that serves it. }

            AgencyTree:
              type: object
              required: [agencies]
              properties:
                agencies: { type: array, items: { $ref: "#/components/schemas/AgencyNode" } }
            AgencyNode:
              type: object
              required: [code, name, kind, parent, children]
              properties:
                code: { type: string }
                name: { type: string }
                kind: { type: string, examples: [province, department, center, commune] }
                parent: { type: [string, "null"] }
                children: { type: array, items: { $ref: "#/components/schemas/AgencyNode" } }

            Questionnaire:
              type: object
              required: [code, version, kind, title, scale, sections, reasons]
              properties:
                code: { type: string }
                version: { type: integer }
                kind: { type: string, enum: [kiosk, web] }
                title: { $ref: "#/components/schemas/LocalizedText" }
                scale:
                  type: object
                  required: [min, max, satisfied, labels]
                  properties:
                    min: { type: integer }
                    max: { type: integer }
                    satisfied: { type: array, items: { type: integer } }
                    labels: { type: array, items: { $ref: "#/components/schemas/LocalizedText" }, description: One per level from min to max. }
                sections:
                  type: array
                  description: The elements (SIPAS) and their questions (criteria).
                  items:
                    type: object
                    required: [code, title, questions]
                    properties:
                      code: { type: string }
                      title: { $ref: "#/components/schemas/LocalizedText" }
                      questions:
                        type: array
                        items:
                          type: object
                          required: [code, text, required]
                          properties:
                            code: { type: string }
                            text: { $ref: "#/components/schemas/LocalizedText" }
                            required: { type: boolean }
                reasons:
                  type: array
                  items:
                    type: object
                    required: [code, text]
                    properties:
                      code: { type: string }
                      text: { $ref: "#/components/schemas/LocalizedText" }
                reasons_at_most: { type: integer, description: The reason checklist is offered for ratings at most this level (absent when none). }
        """#
}
