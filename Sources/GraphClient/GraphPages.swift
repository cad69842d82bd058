import Foundation
import GraphModels

/// The pages of a Graph collection, fetched lazily; each element is one page's items.
///
/// Follows `@odata.nextLink` verbatim until a page has none. A link seen twice ends the
/// sequence with `GraphError.malformed` instead of looping.
public struct GraphPages<Item: Decodable & Sendable>: AsyncSequence, Sendable {
  public typealias Element = [Item]

  /// How each page is fetched.
  enum Attempts: Sendable {
    /// `GraphSession.send`: automatic retries, one refresh after a 401, errors thrown.
    case retrying
    /// One `GraphSession.sendOnce` per page, through `gate`, for callers that own their retry
    /// decisions: see `GraphSession.singleAttemptAttachments`.
    case single(gate: (any RequestGate)?)
  }

  /// At most this many pages in single-attempt mode, which has no repeat check of its own.
  static var singleAttemptPageLimit: Int { 100 }

  let session: GraphSession
  let firstURL: String
  let attempts: Attempts

  /// The pages from `firstURL`, each fetched with retries.
  public init(session: GraphSession, firstURL: String) {
    self.init(session: session, firstURL: firstURL, attempts: .retrying)
  }

  init(session: GraphSession, firstURL: String, attempts: Attempts) {
    self.session = session
    self.firstURL = firstURL
    self.attempts = attempts
  }

  /// Fetches one page per call to `next`.
  public struct AsyncIterator: AsyncIteratorProtocol {
    let session: GraphSession
    let attempts: Attempts
    var nextURL: String?
    var seen: Set<String> = []
    var pages = 0
    /// The bearer token of the latest single attempt that carried one (a caller that refreshes
    /// after a 401 must name the rejected token).
    public private(set) var token: String?

    /// The next page's items, or nil after the last page.
    public mutating func next() async throws -> [Item]? {
      guard let url = nextURL else { return nil }
      switch attempts {
      case .retrying: return try await nextRetrying(url)
      case .single(let gate): return try await nextSingle(url, gate: gate)
      }
    }

    private mutating func nextRetrying(_ url: String) async throws -> [Item] {
      seen.insert(url)
      let page = try await session.getJSON(GraphPage<Item>.self, url: url)
      if let link = page.nextLink, !link.isEmpty {
        guard !seen.contains(link) else {
          throw GraphError.malformed("@odata.nextLink repeats an earlier page")
        }
        nextURL = link
      } else {
        nextURL = nil
      }
      return page.value
    }

    /// One attempt; a link off the Graph origin, or the page limit, ends the sequence quietly.
    private mutating func nextSingle(_ url: String, gate: (any RequestGate)?) async throws
      -> [Item]
    {
      pages += 1
      let attempt = try await session.sendOnce(
        HTTPRequest(method: "GET", url: url, headers: [("Accept", "application/json")]),
        gate: gate)
      token = attempt.token ?? token
      let response: HTTPResponse
      switch attempt.result {
      case .success(let answer): response = answer
      case .failure(let error): throw PageAttemptError.transport(error)
      }
      guard response.status == 200 else { throw PageAttemptError.answered(response) }
      guard let page = try? GraphJSON.decoder().decode(GraphPage<Item>.self, from: response.body)
      else { throw PageAttemptError.unreadable }
      if let link = page.nextLink, !link.isEmpty, session.isGraphURL(link),
        pages < GraphPages.singleAttemptPageLimit
      {
        nextURL = link
      } else {
        nextURL = nil
      }
      return page.value
    }
  }

  /// An iterator from the first page.
  public func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(session: session, attempts: attempts, nextURL: firstURL)
  }

  /// Every item of every page, in order.
  public func all() async throws -> [Item] {
    var items: [Item] = []
    for try await page in self { items.append(contentsOf: page) }
    return items
  }
}

/// Why a single-attempt page fetch stopped without a page; failures to get a token are thrown
/// as the token provider threw them.
public enum PageAttemptError: Error, Sendable {
  /// The answer was not a 200; the caller decides what it means.
  case answered(HTTPResponse)
  /// No answer arrived.
  case transport(TransportError)
  /// A 200 whose body is not a page.
  case unreadable
}
