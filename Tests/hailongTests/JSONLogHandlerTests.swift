import Foundation
import Logging
import Testing

@testable import hailong

/// `LOG_FORMAT=json`: each line is one JSON object that a log shipper can parse, with the request id on top.
@Suite struct JSONLogHandlerTests {
    let time = Date(timeIntervalSince1970: 1_796_000_000.125)

    func decoded(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func aLineIsOneJSONObjectWithTheRequestIDOnTop() throws {
        let line = JSONLogHandler.line(
            time: time, level: .error, label: "hailong", message: "store failed",
            metadata: ["hb.request.id": "42", "agency": "DEMO.STP", "batch": .array(["1", "2"]), "db": .dictionary(["code": "57P01"])],
            source: "HaiLongWeb")
        #expect(!line.contains("\n"))
        let object = try decoded(line)
        #expect(object["level"] as? String == "error")
        #expect(object["label"] as? String == "hailong")
        #expect(object["message"] as? String == "store failed")
        #expect(object["request_id"] as? String == "42")
        #expect(object["source"] as? String == "HaiLongWeb")
        let stamp = try #require(object["time"] as? String)
        #expect(stamp.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.125Z/) != nil, "\(stamp)")
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["hb.request.id"] == nil)
        #expect(metadata["agency"] as? String == "DEMO.STP")
        #expect(metadata["batch"] as? [String] == ["1", "2"])
        #expect((metadata["db"] as? [String: String])?["code"] == "57P01")
    }

    @Test func vietnameseStaysReadableAndOnlyWhatJSONNeedsIsEscaped() throws {
        let message = "Sở Tư pháp: \"chờ lâu\"\n\tline\\two\u{1}"
        let line = JSONLogHandler.line(time: time, level: .info, label: "hailong", message: message, metadata: [:], source: "hailong")
        #expect(line.contains("Sở Tư pháp"))
        #expect(!line.contains("\\u1edf"))
        #expect(line.contains("\\u0001"))
        #expect(try decoded(line)["message"] as? String == message)
        #expect(try decoded(line)["metadata"] == nil)
    }

    @Test func logFormatAcceptsTextAndJSONOnly() throws {
        #expect(try LogFormat(environment: [:]) == .text)
        #expect(try LogFormat(environment: ["LOG_FORMAT": "JSON"]) == .json)
        #expect(throws: (any Error).self) { try LogFormat(environment: ["LOG_FORMAT": "yaml"]) }
    }
}
