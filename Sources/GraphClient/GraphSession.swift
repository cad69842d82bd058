import Foundation
import GraphModels
import Logging
import Synchronization

/// Which failures of a request may be retried automatically.
public enum RetryMode: Sendable, Hashable {
  /// Retry idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS) only.
  case automatic
  /// Retry whatever the method: the caller knows a repeat is safe.
  case always
  /// Never retry (the caller reconciles state itself, e.g. upload PUTs); 401 refresh still applies.
  case never
}

/// Per-request choices for `GraphSession.send`.
public struct RequestOptions: Sendable {
  public var retry: RetryMode
  /// Refresh the token once and repeat after a 401.
  public var refreshOnUnauthorized: Bool
  /// Return non-2xx responses instead of throwing `GraphError.service`.
  public var returnErrorResponses: Bool
  /// Told the body bytes written to the socket for the current attempt.
  public var progress: (@Sendable (Int64) -> Void)?

  public init(
    retry: RetryMode = .automatic, refreshOnUnauthorized: Bool = true,
    returnErrorResponses: Bool = false, progress: (@Sendable (Int64) -> Void)? = nil
  ) {
    self.retry = retry
    self.refreshOnUnauthorized = refreshOnUnauthorized
    self.returnErrorResponses = returnErrorResponses
    self.progress = progress
  }
}

/// A connection to one Graph deployment: base URL, tokens, transport, retries and logging.
///
/// Every request gets a fresh `client-request-id`; the response `request-id` is logged. The
/// bearer token goes only to the configured Graph origin (scheme, host and port).
public final class GraphSession: Sendable {
  /// The base URL without a trailing slash, e.g. `https://graph.microsoft.com/v1.0`.
  public let baseURL: String
  public let transport: any HTTPTransport
  public let tokens: any AccessTokenProvider
  public let logger: Logger
  public let retryPolicy: RetryPolicy
  /// Page size sent as `$top` on collection requests that accept it.
  public let pageSize: Int
  /// Bounds on following `@odata.nextLink`.
  public let pagingLimits: PagingLimits
  /// Told of long waits and skipped items (commands print them on stderr, the TUI on its status
  /// line).
  let notify: (@Sendable (GraphNotice) -> Void)?
  /// Seconds waited before retries so far, against `retryPolicy.totalWaitBudget`.
  private let waited = Mutex<Double>(0)
  let clock: any Clock<Duration>
  let random: @Sendable () -> Double
  let now: @Sendable () -> Date
  private let origin: Origin

  /// Creates a session; throws `GraphError.input` for a base URL that is not https (or loopback).
  public init(
    baseURL: String, tokens: any AccessTokenProvider, transport: any HTTPTransport,
    logger: Logger = Logger(label: "tack.graph", factory: { _ in SwiftLogNoOpLogHandler() }),
    retryPolicy: RetryPolicy = .default, pageSize: Int = 100,
    clock: any Clock<Duration> = ContinuousClock(),
    random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
    now: @escaping @Sendable () -> Date = { Date() },
    pagingLimits: PagingLimits = PagingLimits(),
    notify: (@Sendable (GraphNotice) -> Void)? = nil
  ) throws {
    var trimmed = baseURL.trimmingCharacters(in: .whitespaces)
    while trimmed.hasSuffix("/") { trimmed.removeLast() }
    guard let origin = Origin(trimmed) else {
      throw GraphError.input("invalid Graph URL \(baseURL)")
    }
    guard
      origin.scheme == "https" || (origin.scheme == "http" && LoopbackHost.isLoopback(origin.host))
    else {
      throw GraphError.input(
        "the Graph URL must use https (plain http is allowed only for 127.0.0.1/localhost): \(baseURL)"
      )
    }
    self.baseURL = trimmed
    self.origin = origin
    self.tokens = tokens
    self.transport = transport
    self.logger = logger
    self.retryPolicy = retryPolicy
    self.pageSize = pageSize
    self.clock = clock
    self.random = random
    self.now = now
    self.pagingLimits = pagingLimits
    self.notify = notify
  }

  // MARK: URLs

  /// `baseURL` + `path` (which starts with `/`), with each query value percent-encoded.
  public func url(_ path: String, query: [(String, String)] = []) -> String {
    var text = baseURL + path
    if !query.isEmpty {
      text += "?" + query.map { "\($0.0)=\(Self.encodeQueryValue($0.1))" }.joined(separator: "&")
    }
    return text
  }

  /// Percent-encodes one path segment (ids are base64 and may hold `/`, `+`, `=`).
  public static func segment(_ id: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return id.addingPercentEncoding(withAllowedCharacters: allowed) ?? id
  }

  static func encodeQueryValue(_ value: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~$,'()")
    return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
  }

  /// True when `url` points at the configured Graph origin (the only place tokens go).
  public func isGraphURL(_ url: String) -> Bool {
    Origin(url) == origin
  }

  // MARK: Sending

  /// Sends `request` with the bearer token (to the Graph origin only), a new `client-request-id`,
  /// automatic retries per `options`, and one token refresh after a 401.
  ///
  /// Throws `GraphError.service` for non-2xx answers (unless `returnErrorResponses`) and
  /// `GraphError.transport` when no answer arrived.
  public func send(_ request: HTTPRequest, options: RequestOptions = RequestOptions()) async throws
    -> HTTPResponse
  {
    let withToken = isGraphURL(request.url)
    var token = withToken ? try await tokens.accessToken() : nil
    var refreshed = false
    var retries = 0
    let mayRetry: Bool
    switch options.retry {
    case .automatic: mayRetry = Self.isIdempotent(request.method)
    case .always: mayRetry = true
    case .never: mayRetry = false
    }
    while true {
      try Task.checkCancellation()
      var attempt = request
      attempt.headers.removeAll {
        let name = $0.name.lowercased()
        return name == "authorization" || name == "client-request-id"
      }
      if let token { attempt.headers.append((name: "Authorization", value: "Bearer \(token)")) }
      let clientRequestID = UUID().uuidString.lowercased()
      attempt.headers.append((name: "client-request-id", value: clientRequestID))
      if attempt.header("Accept") == nil {
        attempt.headers.append((name: "Accept", value: "application/json"))
      }
      let started = ContinuousClock.now
      let response: HTTPResponse
      do {
        response = try await transport.send(attempt, progress: options.progress)
      } catch let error as TransportError {
        logFailure(attempt, error: error, clientRequestID: clientRequestID, started: started)
        if error == .cancelled || Task.isCancelled { throw CancellationError() }
        if mayRetry, Self.isRetryable(error), retries < retryPolicy.maxRetries {
          retries += 1
          try await wait(
            retryPolicy.delay(attempt: retries, retryAfter: nil, random: random),
            reason: GraphError.transport(error).description, askedByGraph: false, request: attempt)
          continue
        }
        throw GraphError.transport(error)
      }
      log(attempt, response: response, clientRequestID: clientRequestID, started: started)
      if response.status == 401, let rejected = token, options.refreshOnUnauthorized, !refreshed {
        refreshed = true
        logger.info(
          "token rejected; refreshing once", metadata: ["url": .string(redacted(attempt.url))])
        token = try await tokens.refresh(after: rejected)
        continue
      }
      if RetryPolicy.isRetryableStatus(response.status), mayRetry, retries < retryPolicy.maxRetries
      {
        retries += 1
        let retryAfter = RetryAfter.seconds(response.header("Retry-After"), now: now())
        let delay = retryPolicy.delay(attempt: retries, retryAfter: retryAfter, random: random)
        try await wait(
          delay, reason: "\(response.status) \(Self.statusText(response.status))", request: attempt)
        continue
      }
      if (200..<300).contains(response.status) || options.returnErrorResponses { return response }
      if (300..<400).contains(response.status) {
        throw GraphError.redirected(
          status: response.status, location: response.header("Location"))
      }
      throw Self.serviceError(response)
    }
  }

  /// Sends a GET for JSON and decodes it as `T`.
  public func getJSON<T: Decodable>(_ type: T.Type, url: String) async throws -> T {
    let response = try await send(HTTPRequest(method: "GET", url: url))
    return try Self.decode(type, from: response.body, what: url)
  }

  /// The typed error for a non-2xx response, from its Graph error body when there is one.
  public static func serviceError(_ response: HTTPResponse) -> GraphError {
    let requestID = response.header("request-id")
    if let body = GraphErrorBody.parse(response.body) {
      return .service(
        status: response.status, code: body.code, message: body.message,
        requestID: body.requestID ?? requestID)
    }
    return .service(
      status: response.status, code: GraphErrorBody.code(forStatus: response.status), message: "",
      requestID: requestID)
  }

  static func decode<T: Decodable>(_ type: T.Type, from data: Data, what: String) throws -> T {
    do {
      return try GraphJSON.decoder().decode(T.self, from: data)
    } catch {
      throw GraphError.malformed("cannot read \(T.self) (\(data.count) bytes)")
    }
  }

  /// The reason phrase of the statuses worth retrying, for announcements.
  static func statusText(_ status: Int) -> String {
    switch status {
    case 429: return "Too Many Requests"
    case 500: return "Internal Server Error"
    case 502: return "Bad Gateway"
    case 503: return "Service Unavailable"
    case 504: return "Gateway Timeout"
    default: return "status"
    }
  }

  static func isIdempotent(_ method: String) -> Bool {
    ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(method.uppercased())
  }

  static func isRetryable(_ error: TransportError) -> Bool {
    switch error {
    case .timedOut, .connectionClosed, .other: return true
    case .connectionRefused, .dnsFailure, .tlsFailure, .invalidURL, .bodyUnreadable, .cancelled,
      .responseTooLarge:
      return false
    }
  }

  /// Waits before a retry: within the command's budget of waits, announced when long.
  private func wait(
    _ seconds: Double, reason: String, askedByGraph: Bool = true, request: HTTPRequest
  ) async throws {
    let budget = retryPolicy.totalWaitBudget
    let allowed = waited.withLock { total in
      guard total + seconds <= budget else { return false }
      total += seconds
      return true
    }
    guard allowed else {
      let who = askedByGraph ? "Graph asked us to wait" : "the network needed a wait of"
      throw GraphError.limit(
        "gave up: \(who) \(Int(seconds.rounded(.up))) s more (\(reason)), past "
          + "the \(Int(budget)) s this command may spend waiting — try again later")
    }
    if seconds >= RetryPolicy.announceThreshold {
      notify?(
        .waiting(
          seconds: seconds, reason: reason, until: now().addingTimeInterval(seconds),
          askedByGraph: askedByGraph))
    }
    logger.notice(
      "retrying after \(String(format: "%.3f", seconds)) s",
      metadata: [
        "reason": .string(reason), "method": .string(request.method),
        "url": .string(redacted(request.url)),
      ])
    guard seconds > 0 else { return }
    try await clock.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))), tolerance: nil)
  }

  // MARK: Logging (never the token)

  private func log(
    _ request: HTTPRequest, response: HTTPResponse, clientRequestID: String,
    started: ContinuousClock.Instant
  ) {
    var metadata: Logger.Metadata = [
      "method": .string(request.method), "url": .string(redacted(request.url)),
      "status": .stringConvertible(response.status),
      "client-request-id": .string(clientRequestID),
      "ms": .stringConvertible(Self.milliseconds(since: started)),
    ]
    if let id = response.header("request-id") { metadata["request-id"] = .string(id) }
    if let diagnostic = response.header("x-ms-ags-diagnostic") {
      metadata["x-ms-ags-diagnostic"] = .string(String(diagnostic.prefix(300)))
    }
    if let date = response.header("Date") { metadata["date"] = .string(date) }
    let level: Logger.Level = (200..<400).contains(response.status) ? .info : .notice
    logger.log(level: level, "graph response", metadata: metadata)
  }

  private func logFailure(
    _ request: HTTPRequest, error: TransportError, clientRequestID: String,
    started: ContinuousClock.Instant
  ) {
    logger.notice(
      "graph request failed",
      metadata: [
        "method": .string(request.method), "url": .string(redacted(request.url)),
        "error": .string("\(error)"), "client-request-id": .string(clientRequestID),
        "ms": .stringConvertible(Self.milliseconds(since: started)),
      ])
  }

  /// The URL without its query (skip tokens are opaque and may be long).
  func redacted(_ url: String) -> String {
    guard let question = url.firstIndex(of: "?") else { return url }
    return String(url[..<question]) + "?…"
  }

  static func milliseconds(since start: ContinuousClock.Instant) -> Int {
    let elapsed = ContinuousClock.now - start
    let (seconds, atto) = elapsed.components
    return Int(seconds * 1000 + atto / 1_000_000_000_000_000)
  }
}

/// Bounds on following `@odata.nextLink`, so a server cannot keep a command paging forever or
/// fill memory.
public struct PagingLimits: Sendable {
  /// Pages of one collection before the listing ends with an error.
  public var maxPages: Int
  /// Items of one collection kept before the listing ends with an error.
  public var maxItems: Int

  public init(maxPages: Int = 1000, maxItems: Int = 100_000) {
    self.maxPages = maxPages
    self.maxItems = maxItems
  }
}

/// Scheme, host and port of a URL: the unit a bearer token is bound to.
struct Origin: Equatable {
  var scheme: String
  var host: String
  var port: Int

  init?(_ url: String) {
    guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
      let host = URLHost.written(in: url)?.lowercased()
    else { return nil }
    self.scheme = scheme
    self.host = LoopbackHost.bare(host)
    self.port = components.port ?? (scheme == "https" ? 443 : 80)
  }
}
