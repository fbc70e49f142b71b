/// The two languages of the UI.
enum Language: String, Sendable {
    case vi
    case en

    init(_ text: String?) {
        self = text == "en" ? .en : .vi
    }

    var other: Language { self == .vi ? .en : .vi }
}
