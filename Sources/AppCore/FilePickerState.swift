import GraphModels
import TerminalCore

/// One entry of a directory, as the runtime lists it.
public struct DirectoryEntry: Sendable, Hashable {
  /// What an entry is; only regular files can be attached.
  public enum Kind: Sendable, Hashable {
    case directory
    case regular
    /// A socket, device, FIFO, or a broken link.
    case other
  }

  public var name: String
  /// The absolute path.
  public var path: String
  public var kind: Kind
  public var size: Int64
  public var isReadable: Bool

  public init(name: String, path: String, kind: Kind, size: Int64 = 0, isReadable: Bool = true) {
    self.name = name
    self.path = path
    self.kind = kind
    self.size = size
    self.isReadable = isReadable
  }

  /// True for names starting with a dot.
  public var isHidden: Bool { name.hasPrefix(".") }

  /// Why the entry cannot be marked for upload, or nil when it can.
  public var unmarkableReason: String? {
    switch kind {
    case .directory: return nil
    case .other: return "not a regular file"
    case .regular:
      if !isReadable { return "cannot be read" }
      if size > UploadLimits.maxFileSize { return "over the 25 MB limit" }
      return nil
    }
  }

  /// True for a file that can be marked.
  public var isMarkable: Bool { kind == .regular && unmarkableReason == nil }
}

/// The file picker modal: a directory listing with marks that survive changing directory.
public struct FilePickerState: Sendable, Hashable {
  public var target: AttachTarget
  public var directory: String
  public var entries: Loadable<[DirectoryEntry]>
  public var listState = ListState()
  public var filter = FilterState()
  public var showHidden = false
  /// Marked files in the order they were marked.
  public var marked: [DirectoryEntry] = []
  /// After going to the parent, the entry to select once the listing arrives.
  public var selectAfterLoad: String?

  public init(target: AttachTarget, directory: String) {
    self.target = target
    self.directory = directory
    self.entries = .loading
  }

  /// Entries shown: hidden ones only on request, then the filter; `..` first, then directories.
  /// While a filter is set `..` is left out, so the first match is what Space and Enter act on
  /// (the parent stays one key away: Backspace, `h` or `←`).
  public var visibleEntries: [DirectoryEntry] {
    var result: [DirectoryEntry] = []
    if directory != "/", filter.text.isEmpty {
      result.append(
        DirectoryEntry(name: "..", path: PathText.parent(of: directory), kind: .directory))
    }
    let listed = (entries.value ?? []).filter {
      (showHidden || !$0.isHidden) && filter.matches($0.name)
    }
    result += listed.filter { $0.kind == .directory }.sorted { $0.name < $1.name }
    result += listed.filter { $0.kind != .directory }.sorted { $0.name < $1.name }
    return result
  }

  /// The highlighted entry.
  public var selectedEntry: DirectoryEntry? {
    let visible = visibleEntries
    return visible.indices.contains(listState.selected) ? visible[listState.selected] : nil
  }

  /// True when `entry` is marked.
  public func isMarked(_ entry: DirectoryEntry) -> Bool {
    marked.contains { $0.path == entry.path }
  }

  /// The total size of the marked files.
  public var markedBytes: Int64 { marked.reduce(0) { $0 + $1.size } }
}

/// Path arithmetic on absolute POSIX paths, without touching the file system.
public enum PathText {
  /// `directory` + `/` + `name`.
  public static func join(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
  }

  /// The parent directory (`/` for `/` and top-level entries).
  public static func parent(of path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    guard let slash = trimmed.lastIndex(of: "/") else { return "/" }
    let parent = trimmed[..<slash]
    return parent.isEmpty ? "/" : String(parent)
  }

  /// The last path component.
  public static func lastComponent(_ path: String) -> String {
    path.split(separator: "/").last.map(String.init) ?? "/"
  }
}
