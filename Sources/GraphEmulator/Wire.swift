import HTTPTypes
import HummingbirdCore

/// The connection a request arrived on, for what only a socket does before the answer.
protocol Wire: ~Copyable {
  /// Sends `100 Continue`, inviting the body (curl waits for it on large uploads).
  func sendContinue() async
}

extension ResponseWriter: Wire {
  func sendContinue() async {
    try? await writeInformationalHead(HTTPResponse(status: .continue))
  }
}

/// No connection: requests handed to the handler in-process.
struct NoWire: Wire {
  func sendContinue() async {}
}
