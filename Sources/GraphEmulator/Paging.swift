import Foundation
import GraphModels

extension Call {
  /// One page of a collection; `$top` is honoured up to the maximum, `$skiptoken` is opaque.
  ///
  /// `all` may be lazy: without a `$filter`, only this page's items are ever touched.
  func page<Items: RandomAccessCollection>(
    _ all: Items, options: EmulatorOptions, context: String,
    fields: (Items.Element, String) -> String?, render: (Items.Element) -> JSONValue
  ) -> Answer {
    let query = self.query
    let (selection, problem) = QueryOptions.parse(query)
    if let problem { return out.error(400, "BadRequest", problem) }
    if selection.terms.isEmpty {
      return page(of: all, selection: selection, options: options, context: context, render)
    }
    let matching = all.filter { item in selection.matches { fields(item, $0) } }
    return page(of: matching, selection: selection, options: options, context: context, render)
  }

  private func page<Items: RandomAccessCollection>(
    of items: Items, selection: QueryOptions, options: EmulatorOptions, context: String,
    _ render: (Items.Element) -> JSONValue
  ) -> Answer {
    let query = self.query
    var size = options.defaultPageSize
    if let top = query["$top"] {
      guard let value = Int(top), value >= 0 else {
        return out.error(400, "BadRequest", "Invalid value '\(top)' for query option $top.")
      }
      size = min(max(value, 1), options.maxPageSize)
    }
    var skip = 0
    if let token = query["$skiptoken"] {
      guard let data = Data(base64Encoded: token),
        let text = String(data: data, encoding: .utf8), text.hasPrefix("skip="),
        let value = Int(text.dropFirst(5)), value >= 0
      else { return out.error(400, "BadRequest", "The $skiptoken is not valid.") }
      skip = value
    }
    // Render only this page: a 5,000-task list must not be encoded whole for every request.
    let slice = items.dropFirst(skip).prefix(size).map { item -> JSONValue in
      guard selection.select != nil, case .object(let members) = render(item) else {
        return render(item)
      }
      return .object(selection.project(members))
    }
    var body: [String: JSONValue] = ["@odata.context": .string(context), "value": .array(slice)]
    if skip + size < items.count {
      body["@odata.nextLink"] = .string(nextLink(skip: skip + size, size: size))
    }
    return out.json(.ok, .object(body))
  }

  /// The link to the page at `skip`; it carries the request's other options ($filter,
  /// $select…), as Graph's do.
  private func nextLink(skip: Int, size: Int) -> String {
    let token = Data("skip=\(skip)".utf8).base64EncodedString()
    let encoded = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token
    let kept = (request.uri.query ?? "").split(separator: "&").filter { pair in
      let name = (pair.split(separator: "=").first.map(String.init) ?? "").removingPercentEncoding
      return name != "$top" && name != "$skiptoken"
    }
    let prefix = kept.isEmpty ? "" : kept.joined(separator: "&") + "&"
    return "http://\(authority)\(request.uri.path)?\(prefix)$top=\(size)&$skiptoken=\(encoded)"
  }
}

/// Graph values as JSON objects, so answers can add OData annotations to them.
enum GraphObject {
  static func members(_ value: some Encodable) -> [String: JSONValue] {
    guard let data = try? GraphJSON.encoder().encode(value),
      case .object(let members) = (try? GraphJSON.decoder().decode(JSONValue.self, from: data))
        ?? .null
    else { return [:] }
    return members
  }

  /// Percent-encodes a path segment (ids may hold `=`; `/` would split the path).
  static func escape(_ segment: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~=!$&'()*+,;:@")
    return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
  }
}
