import Foundation
import HTTPTypes
import HaiLongStore
import Logging
import NIOCore

/// Settings from the environment (README's configuration table). A bad value stops start-up with one
/// line naming the variable.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// The IANA zone of period boundaries and local days.
    public var timeZone = "Asia/Ho_Chi_Minh"
    public var logLevel = Logger.Level.info
    /// What `hailong serve` runs as: a login that is a member of `hailong_runtime` and owns nothing. `nil` means:
    /// start the embedded PostgreSQL, which sets up both logins itself.
    public var databaseURL: DatabaseURL?
    /// The tables' owner (`MIGRATION_DATABASE_URL`), for the migrations and the command-line tools; `nil`: `databaseURL`.
    public var migrationDatabaseURL: DatabaseURL?
    /// A streaming replica for the figures' reads (`DATABASE_READ_URL`); `nil`: the primary reads them.
    public var databaseReadURL: DatabaseURL?
    /// How far behind the replica may replay before reads go back to the primary (`HAILONG_READ_MAX_LAG_S`).
    public var readMaxLag: Duration = .seconds(10)
    /// Lets `hailong serve` run as a superuser, a table owner or a role that bypasses row-level security
    /// (`HAILONG_ALLOW_OWNER=1`, development only).
    public var allowOwner = false
    /// Where the embedded cluster lives (`<dataDirectory>/pg`).
    public var dataDirectory = URL(fileURLWithPath: ".hailong")
    /// How often the aggregator looks for new responses.
    public var aggregatorInterval = Duration.seconds(1)
    /// Encrypts phone numbers given for a call-back (`HAILONG_DATA_KEY`); without it they are refused.
    public var contactCipher: ContactCipher?
    /// Earlier data keys (`HAILONG_OLD_DATA_KEYS`, comma-separated) whose contacts are not re-sealed yet: erasure
    /// finds their rows, `hailong rotate-data-key` opens and re-seals them under `HAILONG_DATA_KEY`.
    public var previousContactCiphers: [ContactCipher] = []
    /// Which client address rate limits apply to (`HAILONG_TRUSTED_PROXIES`, `HAILONG_CLIENT_IP_HEADER`).
    public var clientAddress = ClientAddress()
    /// The web survey's guards (`HAILONG_SURVEY_MIN_FILL_SECONDS`; phone numbers only with `HAILONG_DATA_KEY`).
    public var survey = SurveySettings()
    /// `Secure` session cookies and HSTS on `/admin` (`HAILONG_SECURE_COOKIES=0` only for plain HTTP on another host
    /// than localhost: browsers treat http://localhost as secure).
    public var secureCookies = true
    /// Slow figures (a province's year on a large database) are served from their previous version for at most this
    /// long while recomputed (`HAILONG_STALE_ANSWERS_S`; 0: always wait for the new figures).
    public var staleAnswers: StaleAnswers? = StaleAnswers()
    /// A connection that sends nothing for this long is closed (`HAILONG_IDLE_TIMEOUT_S`), so idle or stalled clients
    /// cannot hold sockets open.
    public var idleTimeout = Duration.seconds(60)
    /// The bearer token `/metrics` asks for (`HAILONG_METRICS_TOKEN`); unset, `/metrics` is open (bind the service to
    /// a private address or filter `/metrics` at the proxy then).
    public var metricsToken: String?
    /// Sign-in rules; `HAILONG_ADMIN_SECOND_FACTOR=required` makes system admins turn on two-step sign-in.
    public var sessionPolicy = SessionPolicy()
    /// How many days comments and contact data are kept (`HAILONG_RETENTION_DAYS`); older ones are cleared daily.
    public var retentionDays = 365
    /// TEST ONLY (`HAILONG_UNSAFE_ACK_BEFORE_COMMIT=1`, read by `hailong serve`): ratings are answered 201 before they
    /// are committed, so a crash loses acknowledged ratings. It exists so the reliability bench can show it sees loss.
    public var unsafeAckBeforeCommit = false

    public init() {}

    public init(environment: [String: String]) throws(ConfigurationError) {
        func value(_ name: String) -> String? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return text
        }
        if let host = value("HAILONG_HOST") { self.host = host }
        if let text = value("HAILONG_PORT") {
            guard let port = Int(text), (1...65535).contains(port) else {
                throw ConfigurationError(variable: "HAILONG_PORT", reason: "'\(text)' is not a port number (1–65535)")
            }
            self.port = port
        }
        if let zone = value("HAILONG_TIMEZONE") {
            guard TimeZone(identifier: zone) != nil, zone.contains("/") || zone == "UTC" else {
                throw ConfigurationError(
                    variable: "HAILONG_TIMEZONE", reason: "'\(zone)' is not an IANA time zone like Asia/Ho_Chi_Minh")
            }
            self.timeZone = zone
        }
        if let text = value("LOG_LEVEL") {
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigurationError(variable: "LOG_LEVEL", reason: "'\(text)' is not one of \(levels)")
            }
            self.logLevel = level
        }
        if let url = value("DATABASE_URL") { self.databaseURL = try DatabaseURL(parsing: url) }
        if let url = value("MIGRATION_DATABASE_URL") {
            guard databaseURL != nil else {
                throw ConfigurationError(variable: "MIGRATION_DATABASE_URL", reason: "needs DATABASE_URL, the login the service runs as")
            }
            self.migrationDatabaseURL = try DatabaseURL(parsing: url, variable: "MIGRATION_DATABASE_URL")
        }
        if let url = value("DATABASE_READ_URL") {
            guard databaseURL != nil else {
                throw ConfigurationError(variable: "DATABASE_READ_URL", reason: "needs DATABASE_URL, the primary it replicates")
            }
            self.databaseReadURL = try DatabaseURL(parsing: url, variable: "DATABASE_READ_URL")
        }
        if let text = value("HAILONG_READ_MAX_LAG_S") {
            guard let seconds = Int(text), (1...3600).contains(seconds) else {
                throw ConfigurationError(variable: "HAILONG_READ_MAX_LAG_S", reason: "'\(text)' is not a number of seconds (1–3600)")
            }
            self.readMaxLag = .seconds(seconds)
        }
        if let text = value("HAILONG_ALLOW_OWNER") {
            guard ["0", "1"].contains(text) else {
                throw ConfigurationError(variable: "HAILONG_ALLOW_OWNER", reason: "'\(text)' is not 0 or 1")
            }
            self.allowOwner = text == "1"
        }
        if let key = value("HAILONG_DATA_KEY") {
            self.contactCipher = try ContactCipher(base64: key)
            self.survey.acceptsContact = true
        }
        if let keys = value("HAILONG_OLD_DATA_KEYS") {
            for key in keys.split(separator: ",") {
                let text = key.trimmingCharacters(in: .whitespaces)
                previousContactCiphers.append(try ContactCipher(base64: text, variable: "HAILONG_OLD_DATA_KEYS"))
            }
        }
        if let text = value("HAILONG_SURVEY_MIN_FILL_SECONDS") {
            guard let seconds = Int(text), (0...600).contains(seconds) else {
                throw ConfigurationError(
                    variable: "HAILONG_SURVEY_MIN_FILL_SECONDS", reason: "'\(text)' is not a number of seconds (0–600)")
            }
            self.survey.minimumFillTime = .seconds(seconds)
        }
        if let text = value("HAILONG_SECURE_COOKIES") {
            guard ["0", "1"].contains(text) else {
                throw ConfigurationError(variable: "HAILONG_SECURE_COOKIES", reason: "'\(text)' is not 0 or 1")
            }
            self.secureCookies = text == "1"
        }
        if let text = value("HAILONG_STALE_ANSWERS_S") {
            guard let seconds = Int(text), (0...3_600).contains(seconds) else {
                throw ConfigurationError(variable: "HAILONG_STALE_ANSWERS_S", reason: "'\(text)' is not a number of seconds (0–3600)")
            }
            self.staleAnswers = seconds == 0 ? nil : StaleAnswers(maxAge: .seconds(seconds))
        }
        if let text = value("HAILONG_IDLE_TIMEOUT_S") {
            guard let seconds = Int(text), (1...3_600).contains(seconds) else {
                throw ConfigurationError(variable: "HAILONG_IDLE_TIMEOUT_S", reason: "'\(text)' is not a number of seconds (1–3600)")
            }
            self.idleTimeout = .seconds(seconds)
        }
        if let text = value("HAILONG_RETENTION_DAYS") {
            guard let days = Int(text), (7...3_650).contains(days) else {
                throw ConfigurationError(variable: "HAILONG_RETENTION_DAYS", reason: "'\(text)' is not a number of days (7–3650)")
            }
            self.retentionDays = days
        }
        if let text = value("HAILONG_ADMIN_SECOND_FACTOR") {
            guard ["optional", "required"].contains(text) else {
                throw ConfigurationError(variable: "HAILONG_ADMIN_SECOND_FACTOR", reason: "'\(text)' is not optional or required")
            }
            self.sessionPolicy.secondFactorRequired = text == "required"
        }
        if let token = value("HAILONG_METRICS_TOKEN") {
            guard token.count >= 16, token.count <= 200, !token.contains(" ") else {
                throw ConfigurationError(variable: "HAILONG_METRICS_TOKEN", reason: "must be 16 to 200 characters without spaces")
            }
            self.metricsToken = token
        }
        if let directory = value("HAILONG_DATA_DIR") { self.dataDirectory = URL(fileURLWithPath: directory) }
        if let text = value("HAILONG_TRUSTED_PROXIES") {
            let entries = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            var ranges: [AddressRange] = []
            for entry in entries {
                guard let range = AddressRange(entry) else {
                    throw ConfigurationError(
                        variable: "HAILONG_TRUSTED_PROXIES", reason: "'\(entry)' is not an IP address or a range like 10.42.0.0/16")
                }
                ranges.append(range)
            }
            self.clientAddress.trustedRanges = ranges
        }
        if let text = value("HAILONG_CLIENT_IP_HEADER") {
            guard let name = HTTPField.Name(text) else {
                throw ConfigurationError(variable: "HAILONG_CLIENT_IP_HEADER", reason: "'\(text)' is not a header name")
            }
            self.clientAddress.header = name
        }
        if let text = value("HAILONG_AGGREGATOR_INTERVAL_MS") {
            guard let milliseconds = Int(text), (10...60_000).contains(milliseconds) else {
                throw ConfigurationError(
                    variable: "HAILONG_AGGREGATOR_INTERVAL_MS", reason: "'\(text)' is not a number of milliseconds (10–60000)")
            }
            self.aggregatorInterval = .milliseconds(milliseconds)
        }
    }
}
