import Foundation
import GraphModels

/// The service no longer accepts a stored delta link (or a next link of its round): the sync
/// state behind it is gone, and only a full load (a round without a link) brings the copy back.
///
/// Graph documents 410 Gone with `syncStateNotFound` (or `resyncRequired`) for this; identity
/// resources answer 400 with the same code. Any 400 or 410 on a link the service gave counts.
public struct DeltaLinkExpired: Error, Sendable, CustomStringConvertible {
  /// The status Graph answered; nil when the link was not sent (it is not on the Graph origin).
  public var status: Int?
  /// Graph's error code (`syncStateNotFound`, `badRequest`, …).
  public var code: String

  public init(status: Int?, code: String) {
    self.status = status
    self.code = code
  }

  public var description: String {
    let why =
      status.map { "Graph answered \($0) \(GraphError.oneLine(code, limit: 100))" }
      ?? "it does not point at the Graph URL in use"
    return "the stored delta link is no longer valid (\(why)); a full load is needed"
  }
}

extension GraphSession {
  /// One delta round of the lists: every list when `link` is nil (`isFullLoad`), else what
  /// changed since the round that gave `link` (its `deltaLink`).
  ///
  /// When the service refuses the stored link (400/410, `DeltaLinkExpired`), the round starts
  /// over without it and the answer is a full load (`fullLoadReason` says why); with
  /// `fullLoadOnExpiry: false` the error is thrown instead. Other failures are thrown as
  /// `GraphError`; the stored link stays good for another try.
  public func listsDelta(link: String?, fullLoadOnExpiry: Bool = true) async throws
    -> DeltaPage<TodoTaskList>
  {
    try await delta(
      initialURL: url("/me/todo/lists/delta"), link: link, fullLoadOnExpiry: fullLoadOnExpiry)
  }

  /// One delta round of a list's tasks; as `listsDelta`. A list that no longer exists is a
  /// `GraphError.service` 404.
  public func tasksDelta(listID: String, link: String?, fullLoadOnExpiry: Bool = true)
    async throws -> DeltaPage<TodoTask>
  {
    try await delta(
      initialURL: url(listPath(listID) + "/tasks/delta"), link: link,
      fullLoadOnExpiry: fullLoadOnExpiry)
  }

  /// The first delta round of a list's tasks, page by page: every task, then the round's
  /// `deltaLink` on the iterator once the last page is read (`isGraphURL` must accept it before
  /// it is stored). A load through it leaves a link for a cheap refresh next time.
  public func tasksDeltaPages(listID: String) -> GraphPages<DeltaEntry<TodoTask>> {
    GraphPages(
      session: self, firstURL: url(listPath(listID) + "/tasks/delta"), attempts: .retrying,
      headers: [(name: "Prefer", value: "odata.maxpagesize=\(pageSize)")])
  }

  private func delta<Item: Decodable & Identifiable & Sendable>(
    initialURL: String, link: String?, fullLoadOnExpiry: Bool
  ) async throws -> DeltaPage<Item> where Item.ID == String {
    guard let link else { return try await deltaRound(from: initialURL, stored: false) }
    do {
      return try await deltaRound(from: link, stored: true)
    } catch let expired as DeltaLinkExpired where fullLoadOnExpiry {
      logger.notice(
        "delta link refused; loading in full", metadata: ["reason": .string(expired.description)])
      var page: DeltaPage<Item> = try await deltaRound(from: initialURL, stored: false)
      page.fullLoadReason = expired.description
      return page
    }
  }

  /// Every page of one round from `url`, following next links within `PagingLimits`, up to
  /// the page with `@odata.deltaLink`. `stored`: `url` is a link the service gave earlier.
  private func deltaRound<Item: Decodable & Identifiable & Sendable>(from url: String, stored: Bool)
    async throws -> DeltaPage<Item> where Item.ID == String
  {
    if stored, !isGraphURL(url) { throw DeltaLinkExpired(status: nil, code: "offOrigin") }
    let pages = GraphPages<JSONValue>(
      session: self, firstURL: url, attempts: .retrying,
      headers: [(name: "Prefer", value: "odata.maxpagesize=\(pageSize)")])
    var iterator = pages.makeAsyncIterator()
    var entries: [DeltaEntry<Item>] = []
    var skippedIDs: [String] = []
    var skipped = 0
    do {
      while let page = try await iterator.next() {
        for raw in page {
          if let entry = DeltaEntry<Item>.read(raw) {
            entries.append(entry)
          } else {
            skipped += 1
            if let id = raw[caseInsensitive: "id"]?.stringValue {
              skippedIDs.append(String(id.prefix(120)))
            }
          }
        }
      }
    } catch GraphError.service(let status, let code, _, _)
      where (status == 400 || status == 410) && (stored || iterator.pagesRead > 0)
    {
      // The first request of a first round is our own URL: a 400 there is a real error.
      throw DeltaLinkExpired(status: status, code: code)
    }
    guard let deltaLink = iterator.deltaLink, !deltaLink.isEmpty else {
      throw GraphError.malformed("the delta round ended without @odata.deltaLink")
    }
    guard isGraphURL(deltaLink) else {
      throw GraphError.malformed(
        "@odata.deltaLink leaves the Graph origin (\(GraphPages<JSONValue>.AsyncIterator.origin(of: deltaLink)))"
      )
    }
    if skipped > 0 {
      notify?(
        .skipped(
          count: skipped, noun: GraphPages<Item>.AsyncIterator.noun, ids: skippedIDs))
    }
    return DeltaPage(entries: entries, deltaLink: deltaLink, isFullLoad: !stored, skipped: skipped)
  }
}
