import Hummingbird

/// The request context of every HaiLong route. Bodies are small JSON documents: 16 KiB is the limit
/// (`maxUploadSize` applies to every decode and collect).
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    public var maxUploadSize: Int { 16 * 1024 }
}
