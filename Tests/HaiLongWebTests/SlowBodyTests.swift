import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing

@testable import HaiLongWeb

/// A body that trickles in is cut off with 408 naming `body` after `Request.bodyTimeLimit`; it used to run into the
/// route's deadline and get 503 "the database did not answer", as if PostgreSQL were down (seen by the reliability
/// bench with 200 slow bodies carrying a valid kiosk token).
@Suite struct SlowBodyTests {
    static func request(_ body: RequestBody) -> Request {
        Request(head: HTTPRequest(method: .post, scheme: "http", authority: "x", path: "/api/v1/responses"), body: body)
    }

    /// Without the limit the collection would never end: the test's own time limit is the upper bound (no tight
    /// timing, which a busy machine breaks).
    @Test(.timeLimit(.minutes(1))) func aBodyThatNeverEndsIs408WithinTheTimeLimit() async throws {
        // One chunk, then nothing: the stream is never finished.
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        continuation.yield(ByteBuffer(string: #"{"questionnaire":"#))
        let started = ContinuousClock.now
        do {
            _ = try await Self.request(RequestBody(asyncSequence: stream)).collectBody(upTo: 16 * 1024)
            Issue.record("a body that never ended was accepted")
        } catch let problem as Problem {
            #expect(problem.status == .requestTimeout)
            #expect(problem.field == "body")
        }
        let waited = started.duration(to: .now)
        #expect(waited >= Request.bodyTimeLimit, "waited \(waited)")
        continuation.finish()
    }

    @Test func aBodyThatArrivesInTimeIsCollected() async throws {
        let body = try await Self.request(RequestBody(buffer: ByteBuffer(string: #"{"a":1}"#))).collectBody(upTo: 1024)
        #expect(String(buffer: body) == #"{"a":1}"#)
    }

    /// A handler stuck in a call that ignores cancellation (a query caught by PostgreSQL shutting down) is answered
    /// 503 at the route's deadline; the deadline used to wait for it (11 s in the bench with the database down for 6).
    @Test(.timeLimit(.minutes(1))) func aHandlerThatIgnoresCancellationIsAnsweredAtTheDeadline() async throws {
        let started = ContinuousClock.now
        do {
            _ = try await withDeadline(.milliseconds(300)) { () async throws -> Int in
                await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
                return 1
            }
            Issue.record("the stuck handler returned")
        } catch let problem as Problem {
            #expect(problem.status == .serviceUnavailable)
            #expect(problem.headers[.retryAfter] == "5")
        }
        let waited = started.duration(to: .now)
        #expect(waited >= .milliseconds(300), "waited \(waited)")
    }
}
