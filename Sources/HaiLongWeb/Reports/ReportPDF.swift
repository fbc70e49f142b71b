import Foundation
import HaiLongStore
import NIOPosix

/// Prints the report's HTML view to PDF with headless Chromium (docs/REPORTS.md says why Chromium rather than
/// LibreOffice): `HAILONG_CHROMIUM`, else `/usr/bin/chromium`, `chromium` or `chromium-browser` on the PATH. The
/// browser runs on the blocking thread pool, with a profile and files of its own in a temporary directory, offline
/// (the page has no external resource). One browser prints at a time: a print takes seconds of a core and a thread of
/// the pool that Bcrypt needs too, so a burst of PDF requests waits its turn instead of taking the machine.
public struct ReportPDF: Sendable {
    public var chromium: String?
    let turns = Turns()

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        chromium = Self.locate(environment)
    }

    /// Hands out one turn at a time, first come first served.
    actor Turns {
        var busy = false
        var waiting: [CheckedContinuation<Void, Never>] = []

        func take() async {
            guard busy else {
                busy = true
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        func give() {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
    }

    /// Why there is no PDF on this machine.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    static func locate(_ environment: [String: String]) -> String? {
        if let configured = environment["HAILONG_CHROMIUM"], !configured.isEmpty { return configured }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") { return "/usr/bin/chromium" }
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for directory in (environment["PATH"] ?? "").split(separator: ":") {
                let path = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        return nil
    }

    /// The PDF bytes of `html`.
    public func pdf(html: String) async throws -> [UInt8] {
        guard let chromium else {
            throw Unavailable(description: "PDF needs Chromium (apt-get install chromium, or set HAILONG_CHROMIUM)")
        }
        await turns.take()
        do {
            let bytes = try await printed(html, chromium: chromium)
            await turns.give()
            return bytes
        } catch {
            await turns.give()
            throw error
        }
    }

    /// One print, on the blocking pool: a throwaway profile and files in a temporary directory.
    func printed(_ html: String, chromium: String) async throws -> [UInt8] {
        try await NIOThreadPool.singleton.runIfActive {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hailong-report-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let page = directory.appendingPathComponent("report.html")
            let output = directory.appendingPathComponent("report.pdf")
            try Data(html.utf8).write(to: page)
            let run = try Subprocess.run(
                chromium,
                [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
                    "--user-data-dir=\(directory.appendingPathComponent("profile").path)", "--no-pdf-header-footer",
                    "--print-to-pdf=\(output.path)", page.absoluteString,
                ])
            guard let bytes = try? Data(contentsOf: output), bytes.starts(with: Array("%PDF".utf8)) else {
                throw Unavailable(description: "Chromium did not print the report (exit \(run.status)): \(run.output.suffix(500))")
            }
            return [UInt8](bytes)
        }
    }
}
