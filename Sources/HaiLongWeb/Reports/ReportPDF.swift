import Foundation
import HaiLongStore
import NIOPosix

/// Prints the report's HTML view to PDF with headless Chromium (docs/REPORTS.md says why Chromium rather than
/// LibreOffice): `HAILONG_CHROMIUM`, else `/usr/bin/chromium`, `chromium` or `chromium-browser` on the PATH. The
/// browser runs on the blocking thread pool, with a profile and files of its own in a temporary directory, offline
/// (the page has no external resource).
public struct ReportPDF: Sendable {
    public var chromium: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        chromium = Self.locate(environment)
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
        return try await NIOThreadPool.singleton.runIfActive {
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
