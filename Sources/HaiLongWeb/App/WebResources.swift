import Foundation

/// The files under `Sources/HaiLongWeb/Resources`: the OpenAPI document, page templates, style sheets, scripts and
/// translation tables. They ship beside the binary as its resource bundle (`HaiLong_HaiLongWeb.resources`), are read
/// once when first used, and are part of the program: one that is missing is a broken installation, not a request's
/// fault.
enum WebResources {
    /// The `Resources` folder inside the bundle.
    static let root: URL = {
        guard let url = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
            fatalError("the HaiLongWeb resource bundle has no Resources folder (\(Bundle.module.bundlePath))")
        }
        return url
    }()

    /// The URL of `path`, relative to `Resources` (`templates/admin`).
    static func url(_ path: String) -> URL {
        root.appendingPathComponent(path)
    }

    /// The bytes of the file at `path`, relative to `Resources` (`public/kiosk/kiosk.js`).
    static func bytes(_ path: String) -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: url(path)))
        } catch {
            fatalError("resource \(path) cannot be read: \(error)")
        }
    }

    /// The UTF-8 text of the file at `path`, relative to `Resources`.
    static func text(_ path: String) -> String {
        String(decoding: bytes(path), as: UTF8.self)
    }

    /// The UI text of one part of the service (`admin`, `survey`) in `language`: `locales/<language>.json` is an object
    /// of such parts, each an object of string keys to strings.
    static func strings(_ part: String, _ language: Language) -> [String: String] {
        let path = "locales/\(language.rawValue).json"
        do {
            let parts = try JSONDecoder().decode([String: [String: String]].self, from: Data(bytes(path)))
            guard let strings = parts[part] else { fatalError("\(path) has no \(part) part") }
            return strings
        } catch {
            fatalError("\(path) is not an object of objects of strings: \(error)")
        }
    }
}
