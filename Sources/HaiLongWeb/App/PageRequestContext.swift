import HaiLongStore
import Hummingbird

/// The context of the administrators' pages behind `SessionAuthenticator`: a signed-in account whose role may see
/// pages. The `par` role reads figures through the API only and is refused here, before the page runs.
struct PageRequestContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let account: SignedInAccount

    init(context: AppRequestContext) throws {
        guard let account = context.account else { throw Problem.noSession }
        guard account.user.role != .par else {
            throw Problem(.forbidden, field: "role", detail: "the par role reads figures through the API only")
        }
        self.coreContext = context.coreContext
        self.account = account
    }

    var user: AdminUser { account.user }
    var csrf: String { account.csrf }
    var maxUploadSize: Int { 16 * 1024 }
}
