import Mustache

extension MustacheLibrary {
    /// A library of page templates, one of them named `layout`; templates are part of the binary, so one that does
    /// not parse is a programming error.
    static func pages(_ templates: KeyValuePairs<String, String>, of what: String) -> MustacheLibrary {
        var library = MustacheLibrary()
        do {
            for (name, text) in templates { try library.register(text, named: name) }
        } catch {
            fatalError("\(what) templates do not parse: \(error)")
        }
        return library
    }

    /// `template` rendered into the `layout` template as its `{{{body}}}`.
    func page(_ template: String, _ context: [String: Any]) -> String {
        var context = context
        context["body"] = render(context, withTemplate: template) ?? ""
        return render(context, withTemplate: "layout") ?? ""
    }
}
