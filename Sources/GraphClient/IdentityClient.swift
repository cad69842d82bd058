import Foundation
import GraphModels
import Logging

/// Talks to the Microsoft identity platform: device-code sign-in and refresh (graph-api.md §6).
///
/// Branches only on the OAuth `error` value, never on `error_description` or AADSTS numbers.
/// Tokens are never logged.
public struct IdentityClient: Sendable {
  /// Delegated scopes tack asks for: To Do, refresh tokens, and `openid profile` for an id_token
  /// naming the account (DECISIONS.md, 2026-12-02: none of them needs an administrator).
  public static let defaultScopes = "Tasks.ReadWrite offline_access openid profile"
  /// What tack asked for before it kept several accounts; sign-ins from then refresh with it.
  public static let legacyScopes = "Tasks.ReadWrite offline_access"

  /// Identity host without a trailing slash, e.g. `https://login.microsoftonline.com`.
  public let loginBaseURL: String
  public let tenant: String
  public let clientID: String
  public let scopes: String
  public let transport: any HTTPTransport
  public let logger: Logger
  /// Retries of a refresh the identity service answered with a transient failure.
  public let refreshRetryPolicy: RetryPolicy
  let clock: any Clock<Duration>
  let now: @Sendable () -> Date
  let random: @Sendable () -> Double

  public init(
    loginBaseURL: String, tenant: String = Tenant.common, clientID: String,
    scopes: String = IdentityClient.defaultScopes, transport: any HTTPTransport,
    logger: Logger = Logger(label: "tack.auth", factory: { _ in SwiftLogNoOpLogHandler() }),
    clock: any Clock<Duration> = ContinuousClock(),
    now: @escaping @Sendable () -> Date = { Date() },
    refreshRetryPolicy: RetryPolicy = RetryPolicy(
      maxRetries: 3, baseDelay: 1, maxDelay: 10, maxRetryAfter: 60),
    random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
  ) {
    var base = loginBaseURL.trimmingCharacters(in: .whitespaces)
    while base.hasSuffix("/") { base.removeLast() }
    self.loginBaseURL = base
    self.tenant = tenant
    self.clientID = clientID
    self.scopes = scopes
    self.transport = transport
    self.logger = logger
    self.clock = clock
    self.now = now
    self.refreshRetryPolicy = refreshRetryPolicy
    self.random = random
  }

  var deviceCodeURL: String { "\(loginBaseURL)/\(tenant)/oauth2/v2.0/devicecode" }
  var tokenURL: String { "\(loginBaseURL)/\(tenant)/oauth2/v2.0/token" }

  // MARK: Device code

  /// Starts a device-code sign-in: the answer holds the code and URL to show the user.
  public func requestDeviceCode() async throws -> DeviceCodeResponse {
    let response = try await post(
      deviceCodeURL, form: [("client_id", clientID), ("scope", scopes)])
    guard response.status == 200 else { throw Self.failure(response, during: "starting sign-in") }
    do {
      return try GraphJSON.decoder().decode(DeviceCodeResponse.self, from: response.body)
    } catch {
      throw GraphError.authentication("the sign-in service sent an unreadable device code")
    }
  }

  /// Polls the token endpoint at the server's `interval` until the user finishes, declines, or
  /// the code expires. `slow_down` adds 5 s to the interval for every later poll.
  ///
  /// `onPoll` is told each outcome (`authorization_pending`, `slow_down`) for progress display.
  public func pollForTokens(
    _ code: DeviceCodeResponse, onPoll: (@Sendable (String) -> Void)? = nil
  ) async throws -> TokenResponse {
    var interval = max(1, code.interval)
    var waited = 0
    let lifetime = max(1, code.expiresIn)
    while true {
      try await clock.sleep(for: .seconds(interval), tolerance: nil)
      waited += interval
      let response = try await post(
        tokenURL,
        form: [
          ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
          ("client_id", clientID), ("device_code", code.deviceCode),
        ])
      if response.status == 200 { return try Self.tokens(from: response) }
      let error = Self.oauthError(response)
      onPoll?(error ?? "http \(response.status)")
      switch error {
      case "authorization_pending":
        logger.debug("sign-in pending")
      case "slow_down":
        interval += 5
        logger.info("sign-in service asked to slow down", metadata: ["interval": "\(interval)"])
      case "authorization_declined", "access_denied":
        throw GraphError.authentication("sign-in was declined")
      case "expired_token", "code_expired":
        throw GraphError.authentication("the sign-in code expired; run `tack login` again")
      case "bad_verification_code":
        throw GraphError.authentication(
          "the sign-in service did not recognise the device code; run `tack login` again")
      default:
        throw Self.failure(response, during: "signing in")
      }
      if waited >= lifetime {
        throw GraphError.authentication("the sign-in code expired; run `tack login` again")
      }
    }
  }

  // MARK: Refresh

  /// Redeems a refresh token. The answer carries a new refresh token, which must replace the old.
  ///
  /// `temporarily_unavailable`, 429 and 5xx are retried with backoff (honouring `Retry-After`);
  /// if they persist the error is a transport one, not an authentication one: signing in again
  /// would not help, trying later will.
  public func refresh(refreshToken: String) async throws -> TokenResponse {
    var retries = 0
    while true {
      let response = try await post(
        tokenURL,
        form: [
          ("client_id", clientID), ("grant_type", "refresh_token"),
          ("refresh_token", refreshToken), ("scope", scopes),
        ])
      if response.status == 200 { return try Self.tokens(from: response) }
      switch Self.oauthError(response) {
      case "invalid_grant", "interaction_required", "consent_required", "login_required":
        throw GraphError.authentication("the sign-in has expired or was revoked; run `tack login`")
      default:
        break
      }
      guard Self.isTransient(response) else {
        throw Self.failure(response, during: "refreshing the sign-in")
      }
      guard retries < refreshRetryPolicy.maxRetries else {
        throw GraphError.transport(
          .other(
            "the sign-in service is temporarily unavailable (HTTP \(response.status)); "
              + "try again shortly"))
      }
      retries += 1
      let retryAfter = RetryAfter.seconds(response.header("Retry-After"), now: now())
      let delay = refreshRetryPolicy.delay(attempt: retries, retryAfter: retryAfter, random: random)
      logger.notice(
        "sign-in service busy; retrying the refresh",
        metadata: [
          "status": .stringConvertible(response.status),
          "after_s": .string(String(format: "%.3f", delay)),
        ])
      try await clock.sleep(
        for: .milliseconds(Int64((max(0, delay) * 1000).rounded(.up))), tolerance: nil)
    }
  }

  /// True for answers that mean "try again later": the service, not the grant, is the problem.
  static func isTransient(_ response: HTTPResponse) -> Bool {
    switch oauthError(response) {
    case "temporarily_unavailable", "server_error": return true
    default: return response.status == 429 || (500..<600).contains(response.status)
    }
  }

  /// Builds the stored form of a token answer (keeping `previousRefreshToken` when the answer
  /// carries none). The username comes from the answer's id_token, else from the access token
  /// when it is a JWT naming the user (`JWTClaims.username`).
  public func stored(
    _ tokens: TokenResponse, graphURL: String, previousRefreshToken: String? = nil
  ) -> StoredTokens {
    let obtained = now()
    return StoredTokens(
      accessToken: tokens.accessToken, refreshToken: tokens.refreshToken ?? previousRefreshToken,
      expiresAt: obtained.addingTimeInterval(TimeInterval(max(0, tokens.expiresIn))),
      scope: tokens.scope, clientID: clientID, tenant: tenant, loginURL: loginBaseURL,
      graphURL: graphURL, obtainedAt: obtained,
      username: tokens.idToken.flatMap(JWTClaims.username(of:))
        ?? JWTClaims.username(of: tokens.accessToken),
      requestedScopes: scopes)
  }

  // MARK: Wire

  private func post(_ url: String, form: [(String, String)]) async throws -> HTTPResponse {
    let body = form.map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")
    let request = HTTPRequest(
      method: "POST", url: url,
      headers: [
        (name: "Content-Type", value: "application/x-www-form-urlencoded"),
        (name: "Accept", value: "application/json"),
        (name: "client-request-id", value: UUID().uuidString.lowercased()),
      ], body: .bytes(Data(body.utf8)), timeout: .seconds(30))
    do {
      let response = try await transport.send(request)
      logger.debug(
        "identity response",
        metadata: [
          "url": .string(url), "status": .stringConvertible(response.status),
          "error": .string(Self.oauthError(response) ?? "-"),
        ])
      return response
    } catch let error as TransportError {
      if error == .cancelled { throw CancellationError() }
      throw GraphError.transport(error)
    }
  }

  static func formEncode(_ value: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
  }

  static func tokens(from response: HTTPResponse) throws -> TokenResponse {
    do {
      return try GraphJSON.decoder().decode(TokenResponse.self, from: response.body)
    } catch {
      throw GraphError.authentication("the sign-in service sent an unreadable token answer")
    }
  }

  /// The OAuth `error` value of an error answer, if it has one.
  static func oauthError(_ response: HTTPResponse) -> String? {
    guard let raw = try? GraphJSON.decoder().decode(JSONValue.self, from: response.body) else {
      return nil
    }
    return raw[caseInsensitive: "error"]?.stringValue
  }

  static func failure(_ response: HTTPResponse, during activity: String) -> GraphError {
    switch oauthError(response) {
    case "invalid_client", "unauthorized_client":
      return .authentication(
        "the app registration rejected the sign-in (\(activity)): make sure it is a public client "
          + "with \"Allow public client flows\" enabled, and that the client id is right")
    case "invalid_scope":
      return .authentication(
        "the app registration does not allow the Tasks.ReadWrite permission (\(activity))")
    case "invalid_request":
      return .authentication(
        "the sign-in service rejected the request (\(activity)); check --tenant and --client-id")
    case "temporarily_unavailable":
      return .authentication("the sign-in service is temporarily unavailable; try again shortly")
    case .some(let code):
      return .authentication("sign-in failed while \(activity): \(code)")
    case .none:
      return .authentication("sign-in failed while \(activity): HTTP \(response.status)")
    }
  }
}

/// Supplies access tokens from a stored sign-in, refreshing shortly before expiry and after a
/// 401, and saving every rotated refresh token.
public actor RefreshingTokenProvider: AccessTokenProvider {
  private var tokens: StoredTokens
  private let identity: IdentityClient
  private let store: TokenStore?
  private let margin: TimeInterval
  private let now: @Sendable () -> Date
  private var inFlight: Task<StoredTokens, any Error>?

  /// `margin` is how long before expiry a token counts as expired.
  public init(
    tokens: StoredTokens, identity: IdentityClient, store: TokenStore?,
    margin: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.tokens = tokens
    self.identity = identity
    self.store = store
    self.margin = margin
    self.now = now
  }

  /// The tokens as they stand (after any refresh).
  public var current: StoredTokens { tokens }

  public func accessToken() async throws -> String {
    if tokens.expiresAt.timeIntervalSince(now()) <= margin {
      return try await refreshNow(replacing: tokens.accessToken).accessToken
    }
    return tokens.accessToken
  }

  public func refresh(after rejected: String) async throws -> String {
    // Another request may already have replaced the rejected token.
    if tokens.accessToken != rejected { return tokens.accessToken }
    return try await refreshNow(replacing: rejected).accessToken
  }

  private func refreshNow(replacing rejected: String) async throws -> StoredTokens {
    if let inFlight { return try await inFlight.value }
    let (current, identity, store, margin, now) = (tokens, identity, store, margin, now)
    let task = Task {
      try await Self.refreshShared(
        current, replacing: rejected, identity: identity, store: store,
        isFresh: { $0.expiresAt.timeIntervalSince(now()) > margin })
    }
    inFlight = task
    defer { inFlight = nil }
    let fresh = try await task.value
    tokens = fresh
    return fresh
  }

  /// One refresh at a time across processes: under the cache's lock, a token another process
  /// stored meanwhile is adopted; otherwise the newest stored refresh token is redeemed and the
  /// rotated one saved before the lock is released (DECISIONS.md, 2026-12-02).
  private static func refreshShared(
    _ current: StoredTokens, replacing rejected: String, identity: IdentityClient,
    store: TokenStore?, isFresh: @Sendable (StoredTokens) -> Bool
  ) async throws -> StoredTokens {
    var lock: FileLock?
    if let store {
      do {
        lock = try await store.refreshLock()
      } catch is CancellationError {
        throw CancellationError()
      } catch {
        identity.logger.warning("refreshing without the token cache lock: \(error)")
      }
    }
    defer { lock?.release() }
    let stored = (try? store?.load(current.account)) ?? nil
    if let stored, stored.accessToken != rejected, stored.accessToken != current.accessToken,
      isFresh(stored)
    {
      identity.logger.info("access token taken from the cache (refreshed by another process)")
      return stored
    }
    let newest = [stored, current].compactMap { $0 }.filter { $0.refreshToken != nil }
      .max { $0.obtainedAt < $1.obtainedAt }
    guard let refreshToken = newest?.refreshToken else {
      throw GraphError.authentication("the sign-in has expired; run `tack login`")
    }
    let answer = try await identity.refresh(refreshToken: refreshToken)
    var fresh = identity.stored(
      answer, graphURL: current.graphURL, previousRefreshToken: refreshToken)
    // The account keeps its name and its scopes: they are its key in the cache.
    fresh.username = current.username
    fresh.requestedScopes = current.requestedScopes
    try store?.save(fresh)
    identity.logger.info("access token refreshed")
    return fresh
  }
}
