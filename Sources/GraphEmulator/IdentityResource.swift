import Foundation
import GraphModels
import HTTPTypes

/// Who is signed in: the identity platform's `devicecode` and `token` endpoints, the emulator's
/// approval hook and verification page, and Graph's `/me`.
struct IdentityResource: Sendable {
  let store: EmulatorStore
  let options: EmulatorOptions

  enum Route: Equatable {
    case deviceCode
    case token
    case approveHook
    /// The emulator's stand-in for the verification page a device code names.
    case devicePage
  }

  /// `/_emulator/device[/approve]` and `/{tenant}/oauth2/v2.0/devicecode|token`.
  static func match(_ segments: [String]) -> Route? {
    func named(_ index: Int, _ name: String) -> Bool {
      segments.indices.contains(index) && segments[index].lowercased() == name.lowercased()
    }
    if named(0, "_emulator") {
      if segments.count == 2, named(1, "device") { return .devicePage }
      if segments.count == 3, named(1, "device"), named(2, "approve") { return .approveHook }
      return nil
    }
    if segments.count == 4, named(1, "oauth2"), named(2, "v2.0") {
      if named(3, "devicecode") { return .deviceCode }
      if named(3, "token") { return .token }
    }
    return nil
  }

  func respond(_ route: Route, _ call: Call) async -> Handler.Outcome {
    let out = call.out
    switch route {
    case .devicePage: return .respond(await devicePage(call))
    case .approveHook: return .respond(await approveHook(call))
    case .deviceCode, .token:
      guard call.method == .post else {
        return .respond(
          out.oauthError(
            "invalid_request", "AADSTS900561: The endpoint only accepts POST requests."))
      }
    }
    guard case .bytes(let bytes) = await call.readBody(limit: 65_536) else {
      return .respond(
        out.oauthError("invalid_request", "AADSTS900144: The request body is too large."))
    }
    let form = RequestParsing.form(bytes)
    guard let clientID = form["client_id"], !clientID.isEmpty else {
      return .respond(
        out.oauthError(
          "invalid_request",
          "AADSTS900144: The request body must contain the following parameter: 'client_id'."))
    }
    if form["client_secret"] != nil {
      return .respond(
        out.oauthError(
          "invalid_client",
          "AADSTS700025: Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
          status: 401))
    }
    if route == .deviceCode { return await deviceCode(form: form, call) }
    return await token(form: form, call)
  }

  /// `GET /me`: the signed-in user.
  func me(_ call: Call) -> Handler.Outcome {
    guard call.method == .get else { return call.notAllowed() }
    return .respond(
      call.out.json(
        .ok,
        .object([
          "@odata.context": .string("\(call.base)/$metadata#users/$entity"),
          "id": .string(store.userID), "displayName": .string(store.userName),
          "userPrincipalName": .string(store.userPrincipalName),
        ])))
  }

  /// The verification page a device code names: `?user_code=…` signs that code in.
  private func devicePage(_ call: Call) async -> Answer {
    let authority = call.authority
    var text =
      "Tack's Graph emulator: device sign-in.\n"
      + "Open http://\(authority)/_emulator/device?user_code=CODE&secret=SECRET to approve CODE, "
      + "or POST http://\(authority)/_emulator/device/approve?secret=SECRET (all pending codes); "
      + "SECRET is the third line `tack emulator` printed.\n"
    if let code = call.query["user_code"]?.uppercased(), !code.isEmpty {
      if let refusal = secretRefusal(call) { return refusal }
      let user: EmulatorStore
      switch chosenUser(call) {
      case .success(let chosen): user = chosen
      case .failure(let refusal): return refusal.answer
      }
      let pending = await store.pendingUserCodes()
      if pending.contains(code) {
        await store.approveDeviceCode(userCode: code, user: user.userID)
        text = "Signed in as \(user.userName). You can return to tack.\n"
      } else {
        text = "No pending sign-in has the code \(code).\n" + text
      }
    }
    return call.out.text(text)
  }

  /// The test hook: approves (or with `decline`, declines) one code, or every pending one.
  private func approveHook(_ call: Call) async -> Answer {
    if let refusal = secretRefusal(call) { return refusal }
    let query = call.query
    let user: EmulatorStore
    switch chosenUser(call) {
    case .success(let chosen): user = chosen
    case .failure(let refusal): return refusal.answer
    }
    if let code = query["user_code"] {
      if query["decline"] != nil {
        await store.declineDeviceCode(userCode: code)
      } else {
        await store.approveDeviceCode(userCode: code, user: user.userID)
      }
    } else {
      await store.approveAllPendingDeviceCodes(user: user.userID)
    }
    return call.out.empty(.noContent)
  }

  /// A refusal to approve: its answer.
  struct UnknownUser: Error {
    let answer: Answer
  }

  /// Who signs in: `?user=` (a user principal name or id of the seed), else the first user.
  private func chosenUser(_ call: Call) -> Result<EmulatorStore, UnknownUser> {
    guard let name = call.query["user"], !name.isEmpty else { return .success(store) }
    guard let user = store.user(name) else {
      let known = store.userPrincipalNames.joined(separator: ", ")
      return .failure(
        UnknownUser(
          answer: call.out.error(
            400, "invalidRequest", "No user \(name) in the emulator; its users: \(known).")))
    }
    return .success(user)
  }

  // swift-format-ignore: NeverForceUnwrap
  static let secretHeader = HTTPField.Name("X-Emulator-Secret")!

  /// nil when the request carries this run's hook secret (`?secret=` or `X-Emulator-Secret`);
  /// otherwise 404 without one (the hook does not announce itself) and 403 with a wrong one.
  private func secretRefusal(_ call: Call) -> Answer? {
    guard
      let given = call.query["secret"]
        ?? call.request.headers[Self.secretHeader]
    else {
      return call.out.error(404, "ResourceNotFound", "Resource not found.")
    }
    let expected = Array(options.hookSecret.utf8)
    let offered = Array(given.utf8)
    var difference = expected.count ^ offered.count
    for index in expected.indices {
      difference |= Int(expected[index] ^ (index < offered.count ? offered[index] : 0))
    }
    guard difference == 0, !expected.isEmpty else {
      return call.out.error(403, "Forbidden", "The emulator hook secret is wrong.")
    }
    return nil
  }

  private func deviceCode(form: [String: String], _ call: Call) async -> Handler.Outcome {
    let out = call.out
    let scope = form["scope"] ?? ""
    guard !scope.isEmpty else {
      return .respond(
        out.oauthError("invalid_scope", "AADSTS70011: The provided value for scope is not valid."))
    }
    let record = await store.createDeviceCode(scope: scope, now: out.now)
    let verification = "http://\(call.authority)/_emulator/device"
    return .respond(
      out.json(
        .ok,
        .object([
          "user_code": .string(record.userCode),
          "device_code": .string(record.deviceCode),
          "verification_uri": .string(verification),
          "expires_in": .number(options.deviceCodeLifetime.seconds.rounded()),
          "interval": .number(Double(options.deviceCodeInterval)),
          "message": .string(
            "To sign in, use a web browser to open the page \(verification) and enter the code \(record.userCode) to authenticate."
          ),
        ])))
  }

  private func token(form: [String: String], _ call: Call) async -> Handler.Outcome {
    let out = call.out
    switch form["grant_type"] {
    case "urn:ietf:params:oauth:grant-type:device_code":
      guard let deviceCode = form["device_code"] else {
        return .respond(
          out.oauthError(
            "invalid_request",
            "AADSTS900144: The request body must contain the following parameter: 'device_code'."))
      }
      switch await store.poll(deviceCode: deviceCode, now: out.now) {
      case .pending:
        return .respond(
          out.oauthError(
            "authorization_pending",
            "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
        )
      case .slowDown:
        return .respond(
          out.oauthError(
            "slow_down", "AADSTS70016: OAuth 2.0 device flow error. Polling too fast; slow down."))
      case .declined:
        return .respond(
          out.oauthError(
            "authorization_declined", "AADSTS70000: The user declined to authorize the request."))
      case .expired:
        return .respond(out.oauthError("expired_token", "AADSTS70019: Verification code expired."))
      case .unknown:
        return .respond(
          out.oauthError("bad_verification_code", "AADSTS70018: Invalid verification code."))
      case .approved(let scope, let user):
        return .respond(await tokenAnswer(scope: scope, user: user, form: form, call))
      }
    case "refresh_token":
      guard let refresh = form["refresh_token"], let user = await store.redeemRefreshToken(refresh)
      else {
        return .respond(
          out.oauthError(
            "invalid_grant",
            "AADSTS70008: The provided authorization code or refresh token has expired."))
      }
      // A refresh always hands out a new refresh token (graph-api.md §6.4), whatever the scope.
      return .respond(
        await tokenAnswer(
          scope: form["scope"] ?? "Tasks.ReadWrite offline_access", user: user, form: form, call,
          rotate: true))
    default:
      return .respond(
        out.oauthError(
          "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type."))
    }
  }

  /// A token answer for `user` (an id); with `openid` asked, an id_token naming them.
  private func tokenAnswer(
    scope: String, user: String, form: [String: String], _ call: Call, rotate: Bool = false
  ) async -> Answer {
    let out = call.out
    let pair = await store.issueToken(now: out.now, user: user)
    let lifetime = options.accessTokenLifetime.seconds.rounded()
    let scopes = scope.split(separator: " ")
    var body: [String: JSONValue] = [
      "token_type": .string("Bearer"),
      "scope": .string(
        scopes.filter { !["offline_access", "openid", "profile"].contains($0) }
          .joined(separator: " ")),
      "expires_in": .number(lifetime),
      "ext_expires_in": .number(lifetime),
      "access_token": .string(pair.access),
    ]
    if rotate || scopes.contains("offline_access") {
      body["refresh_token"] = .string(pair.refresh)
    }
    if scopes.contains("openid"), let account = store.user(user) {
      let tenant = call.request.uri.path.split(separator: "/").first.map(String.init) ?? "common"
      body["id_token"] = .string(
        store.idToken(
          for: account, clientID: form["client_id"] ?? "",
          issuer: "http://\(call.authority)/\(tenant)/v2.0", now: out.now))
    }
    return out.json(.ok, .object(body))
  }
}
