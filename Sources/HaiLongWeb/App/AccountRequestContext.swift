import HaiLongStore
import Hummingbird

/// The context of the administrators' routes behind `SessionAuthenticator` that any signed-in account may use
/// (signing out).
struct AccountRequestContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let account: SignedInAccount

    init(context: AppRequestContext) throws {
        guard let account = context.account else { throw Problem.noSession }
        self.coreContext = context.coreContext
        self.account = account
    }

    var user: AdminUser { account.user }
    var csrf: String { account.csrf }
    var maxUploadSize: Int { 16 * 1024 }
}
