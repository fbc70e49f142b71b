import HaiLongCore
import Hummingbird

/// The context of the API routes behind `BearerAuthenticator`: the caller its token stands for, a kiosk device or an
/// API token. Each route still checks that this kind of caller, and its role and scope, may do what it asks.
struct TokenRequestContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let caller: Caller

    init(context: AppRequestContext) throws {
        guard let caller = context.caller else { throw Problem.missingToken }
        self.coreContext = context.coreContext
        self.caller = caller
    }

    var maxUploadSize: Int { 16 * 1024 }
}
