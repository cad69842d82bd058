import Foundation
import GraphModels

/// The pages of a Graph collection, fetched lazily; each element is one page's items.
///
/// Follows `@odata.nextLink` verbatim until a page has none. A link seen twice, a link off the
/// Graph origin, or more than `PagingLimits` pages or items end the sequence with an error
/// instead of looping. Items are read one by one: one that does not decode is skipped and
/// counted, not fatal to the listing.
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

  let session: GraphSession
  let firstURL: String
  let attempts: Attempts
  /// Sent with every page request of a retrying sequence (e.g. `Prefer: odata.maxpagesize`).
  let headers: [(name: String, value: String)]

  /// The pages from `firstURL`, each fetched with retries.
  public init(session: GraphSession, firstURL: String) {
    self.init(session: session, firstURL: firstURL, attempts: .retrying)
  }

  init(
    session: GraphSession, firstURL: String, attempts: Attempts,
    headers: [(name: String, value: String)] = []
  ) {
    self.session = session
    self.firstURL = firstURL
    self.attempts = attempts
    self.headers = headers
  }

  /// Fetches one page per call to `next`.
  public struct AsyncIterator: AsyncIteratorProtocol {
    let session: GraphSession
    let attempts: Attempts
    var headers: [(name: String, value: String)] = []
    var nextURL: String?
    var seen: Set<String> = []
    var pages = 0
    var items = 0
    /// Items that could not be read as `Item` and were left out.
    public private(set) var skipped = 0
    /// The ids of the skipped items that had one.
    public private(set) var skippedIDs: [String] = []
    /// The bearer token of the latest single attempt that carried one (a caller that refreshes
    /// after a 401 must name the rejected token).
    public private(set) var token: String?
    /// The `@odata.deltaLink` of the last page, once the last page of a delta round is read.
    public private(set) var deltaLink: String?
    /// Pages read so far.
    public var pagesRead: Int { pages }
    /// True while a next page is to be fetched (false after the last page).
    public var hasMore: Bool { nextURL != nil }

    /// Announces the items left out so far (once, when the listing is over), as `all` does.
    public func announceSkipped() {
      guard skipped > 0 else { return }
      session.notify?(.skipped(count: skipped, noun: Self.noun, ids: skippedIDs))
    }

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
      let response = try await session.send(HTTPRequest(method: "GET", url: url, headers: headers))
      guard let page = Self.page(response.body) else {
        throw GraphError.malformed(
          "cannot read a page of \(Self.noun)s (\(response.body.count) bytes)")
      }
      let items = try take(page)
      deltaLink = page.deltaLink
      if let link = page.nextLink, !link.isEmpty {
        guard !seen.contains(link) else {
          throw GraphError.malformed("@odata.nextLink repeats an earlier page")
        }
        try check(link)
        nextURL = link
      } else {
        nextURL = nil
      }
      return items
    }

    /// One attempt per page; a link off the Graph origin, or past the page limit, ends the
    /// sequence with `PageAttemptError.unreadable`.
    private mutating func nextSingle(_ url: String, gate: (any RequestGate)?) async throws
      -> [Item]
    {
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
      guard let page = Self.page(response.body) else { throw PageAttemptError.unreadable }
      let items: [Item]
      do {
        items = try take(page)
        if let link = page.nextLink, !link.isEmpty {
          try check(link)
          nextURL = link
        } else {
          nextURL = nil
        }
      } catch {
        throw PageAttemptError.unreadable
      }
      return items
    }

    /// Counts the page and decodes its items one by one, skipping (and counting) those that do
    /// not read as `Item`; throws past the item limit.
    private mutating func take(_ page: GraphPage<JSONValue>) throws -> [Item] {
      pages += 1
      items += page.value.count
      guard items <= session.pagingLimits.maxItems else {
        throw GraphError.limit(
          "stopped after \(session.pagingLimits.maxItems) \(Self.noun)s: the collection is "
            + "larger than tack keeps in memory")
      }
      var decoded: [Item] = []
      decoded.reserveCapacity(page.value.count)
      for raw in page.value {
        if let item = try? raw.decode(as: Item.self) {
          decoded.append(item)
        } else {
          skipped += 1
          if case .object(let members) = raw, case .string(let id)? = members["id"] {
            skippedIDs.append(String(id.prefix(120)))
          }
        }
      }
      return decoded
    }

    /// A next link must stay on the Graph origin (it would get no token, and its items would
    /// be taken for Graph's) and within the page limit.
    private func check(_ link: String) throws {
      guard session.isGraphURL(link) else {
        throw GraphError.malformed(
          "@odata.nextLink leaves the Graph origin (\(Self.origin(of: link))); not following it")
      }
      guard pages < session.pagingLimits.maxPages else {
        throw GraphError.limit(
          "stopped after \(session.pagingLimits.maxPages) pages of \(Self.noun)s: the server "
            + "keeps sending a next page link")
      }
    }

    static func page(_ body: Data) -> GraphPage<JSONValue>? {
      try? GraphJSON.decoder().decode(GraphPage<JSONValue>.self, from: body)
    }

    static func origin(of link: String) -> String {
      guard let components = URLComponents(string: link), let host = URLHost.written(in: link)
      else {
        return "not a URL"
      }
      return "\(components.scheme ?? "?")://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }

    /// What the user calls one item, for messages.
    static var noun: String {
      switch Item.self {
      case is TodoTaskList.Type: return "list"
      case is TodoTask.Type, is DeltaEntry<TodoTask>.Type: return "task"
      case is TaskFileAttachment.Type: return "attachment"
      default: return "item"
      }
    }
  }

  /// An iterator from the first page.
  public func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(session: session, attempts: attempts, headers: headers, nextURL: firstURL)
  }

  /// Every readable item of every page, in order; skipped items are announced once.
  public func all() async throws -> [Item] {
    var items: [Item] = []
    var iterator = makeAsyncIterator()
    while let page = try await iterator.next() { items.append(contentsOf: page) }
    iterator.announceSkipped()
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
