import HaiLongCore
import Hummingbird

/// The context of the kiosk device routes behind `BearerAuthenticator`: the kiosk whose own token came with the
/// request. Any other token is refused here, before the route runs.
struct DeviceRequestContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let kioskID: Int64
    let agencyID: Int64

    init(context: AppRequestContext) throws {
        switch context.caller {
        case .kiosk(let kioskID, let agencyID, _)?:
            self.coreContext = context.coreContext
            self.kioskID = kioskID
            self.agencyID = agencyID
        case .token?:
            throw Problem(.forbidden, field: "Authorization", detail: "the kiosk routes are for kiosk device tokens")
        case nil:
            throw Problem.missingToken
        }
    }

    var maxUploadSize: Int { 16 * 1024 }
}
