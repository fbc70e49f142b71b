import Foundation
import Mustache

extension MustacheLibrary {
    /// The page templates in `Resources/templates/<folder>`: one per `*.mustache` file, named after the file without its
    /// extension (`layout`, `signin`, …), so a template includes another as a partial (`{{> agency_head}}`). One of them
    /// must be `layout`. Read synchronously, once, like `MustacheLibrary(directory:)` would but without its `async`;
    /// templates are part of the program, so one that is missing or does not parse is a broken installation.
    static func pages(_ folder: String) -> MustacheLibrary {
        let path = "templates/\(folder)"
        let files: [URL]
        do {
            files = try FileManager.default.contentsOfDirectory(at: WebResources.url(path), includingPropertiesForKeys: nil)
        } catch {
            fatalError("the \(path) templates cannot be listed: \(error)")
        }
        var library = MustacheLibrary()
        for file in files where file.pathExtension == "mustache" {
            do {
                try library.register(
                    WebResources.text("\(path)/\(file.lastPathComponent)"), named: file.deletingPathExtension().lastPathComponent)
            } catch {
                fatalError("\(path)/\(file.lastPathComponent) does not parse: \(error)")
            }
        }
        guard library.getTemplate(named: "layout") != nil else { fatalError("\(path) has no layout.mustache") }
        return library
    }

    /// `template` rendered into the `layout` template as its `{{{body}}}`.
    func page(_ template: String, _ context: [String: Any]) -> String {
        var context = context
        context["body"] = render(context, withTemplate: template) ?? ""
        return render(context, withTemplate: "layout") ?? ""
    }
}
