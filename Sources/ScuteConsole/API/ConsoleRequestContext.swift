import Hummingbird
import Logging

/// The request context of the API port. Who is asking is decided per operation by `APIGuard` and handed
/// to the generated API's handlers in `Caller.identity`.
struct ConsoleRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }
}
