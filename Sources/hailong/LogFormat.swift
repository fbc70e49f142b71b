import HaiLongStore

/// How log lines are written (`LOG_FORMAT`): swift-log's text lines, or one JSON object per line.
enum LogFormat: String {
    case text, json

    init(environment: [String: String]) throws(ConfigurationError) {
        guard let text = environment["LOG_FORMAT"], !text.isEmpty else {
            self = .text
            return
        }
        guard let format = LogFormat(rawValue: text.lowercased()) else {
            throw ConfigurationError(variable: "LOG_FORMAT", reason: "'\(text)' is not text or json")
        }
        self = format
    }
}
