import HaiLongStore
import Testing

@testable import HaiLongWeb

/// `HAILONG_STALE_ANSWERS_S`: how long slow figures may be served from their previous version.
@Suite struct ServerConfigurationTests {
    @Test func staleAnswersDefaultToFiveMinutesAndZeroTurnsThemOff() throws {
        let standard = try #require(try ServerConfiguration(environment: [:]).staleAnswers)
        #expect(standard.maxAge == .seconds(300) && standard.slowerThan == .milliseconds(200))
        #expect(try ServerConfiguration(environment: ["HAILONG_STALE_ANSWERS_S": "0"]).staleAnswers == nil)
        #expect(try ServerConfiguration(environment: ["HAILONG_STALE_ANSWERS_S": "15"]).staleAnswers?.maxAge == .seconds(15))
        for bad in ["-1", "soon", "3601"] {
            let error = #expect(throws: ConfigurationError.self) {
                try ServerConfiguration(environment: ["HAILONG_STALE_ANSWERS_S": bad])
            }
            #expect(error?.variable == "HAILONG_STALE_ANSWERS_S")
        }
    }
}
