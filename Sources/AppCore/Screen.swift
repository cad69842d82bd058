import Foundation
import GraphModels
import TerminalCore

/// Renders `AppState` into a `Buffer`: the whole screen, every frame (immediate mode).
///
/// Views only read state. Every string that came from the server or the file system goes
/// through `Sanitizer` before it reaches the buffer.
public enum Screen {
  /// The frame for `state` at `state.size`.
  public static func render(_ state: AppState) -> Buffer {
    var buffer = Buffer(size: state.size, glyphs: state.glyphs)
    if Layout.isTooSmall(state.size) {
      renderTooSmall(state, into: &buffer)
      return buffer
    }
    let layout = Layout(state)
    renderHeader(state, layout.header, into: &buffer)
    renderLists(state, layout.lists, into: &buffer)
    renderTasks(state, layout.tasks, into: &buffer)
    renderAttachments(state, layout.attachments, into: &buffer)
    if !layout.steps.isEmpty { renderSteps(state, layout.steps, into: &buffer) }
    if !layout.uploads.isEmpty { renderUploads(state, layout.uploads, into: &buffer) }
    renderStatus(state, layout.status, into: &buffer)
    renderFooter(state, layout.footer, into: &buffer)
    if let picker = state.picker { renderPicker(state, picker, layout.picker, into: &buffer) }
    if let prompt = state.edit.prompt { renderPrompt(state, prompt, into: &buffer) }
    if let search = state.search { renderSearch(state, search, layout.picker, into: &buffer) }
    switch state.overlay {
    case .help(let offset): renderHelp(state, offset: offset, layout.help, into: &buffer)
    case .confirmQuit: renderConfirmQuit(state, into: &buffer)
    case .confirmDelete(_, _, let attachment):
      renderConfirmDelete(state, attachment, into: &buffer)
    case .resumeOffer(let uploads): renderResumeOffer(state, uploads, into: &buffer)
    case .signIn(let signIn): renderSignIn(state, signIn, into: &buffer)
    case .accounts(let selected): renderAccounts(state, selected: selected, into: &buffer)
    case nil: break
    }
    return buffer
  }

  static func clean(_ text: String) -> String { Sanitizer.clean(text) }

  static func frame(_ title: String, focused: Bool) -> Frame {
    Frame(title: title, borderStyle: focused ? .accent : .dim, titleStyle: .header)
  }

  // MARK: Chrome

  private static func renderTooSmall(_ state: AppState, into buffer: inout Buffer) {
    let lines = [
      "Terminal too small: \(state.size.width)×\(state.size.height)",
      "tack needs at least \(Layout.minimum.width)×\(Layout.minimum.height).",
      "Resize the window, or press \(KeyBindings.keyName(.quit, in: .global)) to quit.",
    ].map { state.glyphs.isUnicode ? $0 : $0.replacingOccurrences(of: "×", with: "x") }
    let top = max(0, (state.size.height - lines.count) / 2)
    for (index, line) in lines.enumerated() {
      let width = DisplayWidth.of(line)
      buffer.write(
        line, x: max(0, (state.size.width - width) / 2), y: top + index,
        style: index == 0 ? .warn : .normal)
    }
  }

  private static func renderHeader(_ state: AppState, _ area: Rect, into buffer: inout Buffer) {
    let separator = " \(state.glyphs.separator) "
    var right = state.accountLabel
    let active = state.activeUploads.count
    if active > 0 {
      right += (right.isEmpty ? "" : " \(state.glyphs.dot) ") + "\(active) uploading"
      if state.backgroundUploads.count == active { right += " in background" }
    }
    let rightWidth = DisplayWidth.of(right)
    if rightWidth > 0 {
      buffer.write(right, x: area.maxX - rightWidth - 1, y: area.y, style: .dim)
    }
    var x = area.x + 1
    x += buffer.write("tack", x: x, y: area.y, style: .accent)
    var crumbs: [String] = []
    if let list = state.openList { crumbs.append(clean(list.displayName)) }
    if let task = state.selectedTask, state.focus != .lists { crumbs.append(clean(task.title)) }
    let room = area.maxX - x - rightWidth - 2
    if !crumbs.isEmpty, room > 3 {
      buffer.write(
        separator + crumbs.joined(separator: separator), x: x, y: area.y, style: .header,
        maxWidth: room)
    }
  }

  private static func renderStatus(_ state: AppState, _ area: Rect, into buffer: inout Buffer) {
    let filter = state.picker.flatMap { $0.filter.editing ? $0.filter : nil } ?? state.editingFilter
    if let filter {
      var x = area.x + 1
      x += buffer.write("/", x: x, y: area.y, style: .accent)
      x += buffer.write(clean(filter.text), x: x, y: area.y, maxWidth: area.width - 4)
      buffer.write(state.glyphs.isUnicode ? "▏" : "_", x: x, y: area.y, style: .accent)
      return
    }
    guard let status = state.status else { return }
    buffer.write(
      clean(status.text), x: area.x + 1, y: area.y, style: status.kind == .error ? .error : .ok,
      maxWidth: area.width - 2)
  }

  private static func renderFooter(_ state: AppState, _ area: Rect, into buffer: inout Buffer) {
    let items = KeyBindings.footer(in: state)
      .filter { $0.disabledReason(in: state) == nil }
      .map {
        HelpItem(
          key: $0.keys[0].label(glyphs: state.glyphs), label: $0.footer ?? $0.help,
          optional: $0.footerOptional)
      }
    var trailing = ""
    // The picker shows its own running total.
    if state.picker == nil && !state.uploads.isEmpty {
      let done = state.uploads.filter { $0.phase == .completed }.count
      trailing = "\(done)/\(state.uploads.count) uploaded"
    }
    HelpBar(items: items, trailing: trailing).render(
      into: &buffer, area: Rect(x: area.x + 1, y: area.y, width: area.width - 2, height: 1))
  }

  // MARK: Panes

  private static func loadingWord(_ state: AppState) -> String {
    state.glyphs.isUnicode ? "Loading…" : "Loading..."
  }

  private static func loadingText(
    _ loadable: Loadable<some Sendable & Hashable>, _ state: AppState
  ) -> String? {
    switch loadable {
    case .idle: return nil
    case .loading: return loadingWord(state)
    case .failed(let reason): return "Failed: " + reason
    case .loaded: return nil
    }
  }

  private static func renderLists(_ state: AppState, _ area: Rect, into buffer: inout Buffer) {
    var title = "Lists"
    if let savedAt = state.cached.lists {
      title += " \(state.glyphs.dot) " + CacheAge.text(savedAt: savedAt, now: state.now)
    }
    if !state.listsFilter.text.isEmpty { title += " /" + clean(state.listsFilter.text) }
    let inner = frame(title, focused: state.focus == .lists).render(into: &buffer, area: area)
    let rows = state.visibleLists.map { list -> ListRow in
      let count = state.tasks[list.id]?.value.map { String($0.count) } ?? ""
      let saving = state.edit.pendingLists[list.id] != nil ? savingMark(state) : ""
      return ListRow(
        clean(list.displayName) + saving, style: list.id == state.openListID ? .accent : .normal,
        trailing: count)
    }
    var empty =
      loadingText(state.lists, state) ?? (state.listsFilter.text.isEmpty ? "No lists" : "No match")
    // Not asked yet (signing in): say nothing rather than "No lists".
    if case .idle = state.lists { empty = "" }
    ListView(rows: rows, focused: state.focus == .lists, emptyText: empty)
      .render(into: &buffer, area: inner, state: state.listsState)
  }

  private static func renderTasks(_ state: AppState, _ area: Rect, into buffer: inout Buffer) {
    var title = "Tasks"
    if let list = state.openList { title += " \(state.glyphs.dot) " + clean(list.displayName) }
    if let id = state.openListID, let savedAt = state.cached.tasks[id] {
      title += " \(state.glyphs.dot) " + CacheAge.text(savedAt: savedAt, now: state.now)
    }
    if let id = state.openListID, let load = state.taskLoads[id], load.received > 0 {
      title +=
        " \(state.glyphs.dot) " + (state.glyphs.isUnicode ? "loading… " : "loading... ")
        + Format.count(load.received)
    }
    if !state.tasksFilter.text.isEmpty { title += " /" + clean(state.tasksFilter.text) }
    let inner = frame(title, focused: state.focus == .tasks).render(into: &buffer, area: area)
    let window = taskTable(state)
    let columns = [
      TableColumn("", width: .fixed(1)), TableColumn("", width: .fixed(1)),
      TableColumn("Title", width: .flexible(minimum: 8)), TableColumn("Due", width: .fixed(10)),
      TableColumn("", width: .fixed(1)),
    ]
    let empty: String
    if state.openListID == nil {
      empty = "Open a list (\(KeyBindings.keyName(.open, in: .lists, glyphs: state.glyphs)))"
    } else {
      empty =
        loadingText(state.openTasks, state)
        ?? (state.tasksFilter.text.isEmpty ? "No tasks" : "No match")
    }
    Table(
      columns: columns, rows: window.rows, focused: state.focus == .tasks, showHeader: false,
      emptyText: empty
    ).render(into: &buffer, area: inner, state: window.selection)
    if window.moreAbove {
      buffer.write(buffer.glyphs.moreAbove, x: inner.x, y: inner.y, style: .dim)
    }
    if window.moreBelow {
      buffer.write(buffer.glyphs.moreBelow, x: inner.x, y: inner.maxY - 1, style: .dim)
    }
  }

  private static func renderAttachments(
    _ state: AppState, _ area: Rect, into buffer: inout Buffer
  ) {
    var title = "Attachments"
    if let task = state.selectedTask { title += " \(state.glyphs.dot) " + clean(task.title) }
    let inner = frame(title, focused: state.focus == .attachments).render(into: &buffer, area: area)
    let attachments = state.selectedAttachments.value ?? []
    // Beside the steps pane there is room for names and sizes only.
    let showsType = inner.width >= 44
    let rows = attachments.map { attachment in
      TableRow(
        [.text(clean(attachment.name)), .text(Format.bytes(attachment.size))]
          + (showsType ? [.text(clean(attachment.contentType ?? ""), style: .dim)] : []))
    }
    let columns =
      [
        TableColumn("Name", width: .flexible(minimum: 10)),
        TableColumn("Size", width: .fixed(9), alignment: .trailing),
      ] + (showsType ? [TableColumn("Type", width: .fixed(22))] : [])
    let empty =
      state.selectedTask == nil
      ? "Select a task" : (loadingText(state.selectedAttachments, state) ?? "No attachments")
    Table(columns: columns, rows: rows, focused: state.focus == .attachments, emptyText: empty)
      .render(into: &buffer, area: inner, state: state.attachmentsState)
  }

  private static func renderUploads(_ state: AppState, _ area: Rect, into buffer: inout Buffer) {
    let cap = state.bandwidthCap.titleText.map { (state.glyphs.isUnicode ? " · " : " - ") + $0 }
    let inner = frame("Uploads" + (cap ?? ""), focused: state.focus == .uploads)
      .render(into: &buffer, area: area)
    let rows = state.uploads.map { row -> TableRow in
      let (stateText, style) = describe(row, state)
      let eta = row.phase == .sending ? Format.duration(row.secondsLeft) : ""
      let rate = row.phase == .sending ? Format.rate(row.rate) : ""
      return TableRow([
        .text(clean(row.name)), .gauge(SegmentedGauge(segments: row.segments)),
        .text(Format.progress(row.acknowledged, of: row.size)), .text(rate, style: .dim),
        .text(eta, style: .dim), .text(stateText, style: style),
      ])
    }
    let columns = [
      TableColumn("File", width: .flexible(minimum: 8)),
      // Names need room at 80 columns; a wider screen gives the bars more.
      TableColumn("Chunks", width: .fixed(min(40, max(14, inner.width / 5)))),
      TableColumn("Acked", width: .fixed(13), alignment: .trailing),
      TableColumn("Rate", width: .fixed(9), alignment: .trailing),
      TableColumn("ETA", width: .fixed(5), alignment: .trailing),
      TableColumn("State", width: .fixed(14)),
    ]
    Table(columns: columns, rows: rows, focused: state.focus == .uploads)
      .render(into: &buffer, area: inner, state: state.uploadsState)
  }

  /// The state column of an upload: phase, retry count, and the countdown to the next try.
  static func describe(_ row: UploadRow, _ state: AppState) -> (String, Style) {
    let retries = row.retries > 0 ? " \(state.glyphs.isUnicode ? "↻" : "r")\(row.retries)" : ""
    switch row.phase {
    case .queued: return ("queued" + retries, .dim)
    case .sending: return ("sending" + retries, .normal)
    case .retrying(_, let until):
      let seconds = max(0, Int(until.timeIntervalSince(state.now).rounded(.up)))
      return ("retry \(row.retries) in \(seconds)s", .warn)
    case .paused: return ("paused" + retries, .warn)
    case .completed: return ("done" + retries, .ok)
    case .failed: return ("failed" + retries, .error)
    case .cancelled: return ("cancelled", .dim)
    }
  }

  // MARK: Modals

  private static func renderPicker(
    _ state: AppState, _ picker: FilePickerState, _ area: Rect, into buffer: inout Buffer
  ) {
    let title = "Attach to " + clean(picker.target.taskTitle)
    let inner = Frame(title: title, borderStyle: .accent).render(into: &buffer, area: area)
    let path = clean(picker.directory)
    buffer.write(
      fitPath(path, width: inner.width - 2, ellipsis: state.glyphs.ellipsis), x: inner.x + 1,
      y: inner.y, style: .header)
    let listArea = Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: inner.height - 2)
    let rows = picker.visibleEntries.map { entry -> ListRow in
      let name = clean(entry.name)
      switch entry.kind {
      case .directory:
        return ListRow("  " + name + state.glyphs.directory, style: .accent)
      case .regular, .other:
        if let reason = entry.unmarkableReason {
          let size =
            entry.kind == .regular ? Format.bytes(entry.size) + " \(state.glyphs.dot) " : ""
          return ListRow(
            name, style: .dim, mark: .unmarkable, trailing: size + reason, trailingStyle: .warn)
        }
        return ListRow(
          name, mark: picker.isMarked(entry) ? .marked : .unmarked,
          trailing: Format.bytes(entry.size))
      }
    }
    let empty: String
    switch picker.entries {
    case .loading, .idle: empty = loadingWord(state)
    case .failed(let reason): empty = "Cannot list this directory: " + clean(reason)
    case .loaded: empty = picker.filter.text.isEmpty ? "Empty directory" : "No match"
    }
    ListView(rows: rows, emptyText: empty).render(
      into: &buffer, area: listArea, state: picker.listState)
    var summary =
      "\(picker.marked.count) marked \(state.glyphs.dot) \(Format.bytes(picker.markedBytes))"
    if !picker.filter.text.isEmpty { summary += " · filter /" + clean(picker.filter.text) }
    if picker.showHidden { summary += " · hidden shown" }
    buffer.write(summary, x: inner.x + 1, y: inner.maxY - 1, style: .dim, maxWidth: inner.width - 2)
  }

  /// A path cut at the front when too long, so the directory's own name stays visible.
  static func fitPath(_ path: String, width: Int, ellipsis: String) -> String {
    guard DisplayWidth.of(path) > width, width > 1 else { return path }
    var tail = String.UnicodeScalarView()
    var used = DisplayWidth.of(ellipsis)
    for scalar in path.unicodeScalars.reversed() {
      let columns = DisplayWidth.of(scalar) ?? 0
      if used + columns > width { break }
      used += columns
      tail.insert(scalar, at: tail.startIndex)
    }
    return ellipsis + String(tail)
  }

  /// The help overlay's lines: an introduction, then every binding by context.
  public static func helpLines(_ state: AppState) -> [(text: String, style: Style)] {
    let close = KeyBindings.keyName(.back, in: .help, glyphs: state.glyphs)
    var lines: [(String, Style)] = [
      ("Keys (generated from the binding table). \(close) closes.", .dim), ("", .normal),
    ]
    for context in KeyContext.allCases {
      let bindings = KeyBindings.table.filter { $0.context == context }
      guard !bindings.isEmpty else { continue }
      lines.append((context.title, .header))
      for binding in bindings {
        let keys = DisplayWidth.pad(KeyBindings.keyLabel(binding, glyphs: state.glyphs), to: 18)
        lines.append(("  " + keys + " " + binding.help, .normal))
      }
      lines.append(("", .normal))
    }
    return lines
  }

  private static func renderHelp(
    _ state: AppState, offset: Int, _ area: Rect, into buffer: inout Buffer
  ) {
    let inner = Frame(title: "Help", borderStyle: .accent).render(into: &buffer, area: area)
    let lines = helpLines(state)
    for (index, line) in lines.dropFirst(offset).prefix(inner.height).enumerated() {
      buffer.write(
        line.text, x: inner.x + 1, y: inner.y + index, style: line.style,
        maxWidth: inner.width - 2)
    }
    if offset + inner.height < lines.count {
      buffer.write(state.glyphs.moreBelow, x: inner.maxX - 1, y: inner.maxY - 1, style: .dim)
    }
    if offset > 0 {
      buffer.write(state.glyphs.moreAbove, x: inner.maxX - 1, y: inner.y, style: .dim)
    }
  }

  static func dialog(
    _ title: String, _ lines: [(String, Style)], width: Int, into buffer: inout Buffer
  ) {
    let area = buffer.area.centered(width: width, height: lines.count + 2)
    let inner = Frame(title: title, borderStyle: .accent).render(into: &buffer, area: area)
    for (index, line) in lines.enumerated() {
      buffer.write(
        line.0, x: inner.x + 1, y: inner.y + index, style: line.1,
        maxWidth: inner.width - 2)
    }
  }

  /// The open dialog's key line, from the binding table: `y quit   n stay`.
  static func dialogKeys(_ state: AppState) -> String {
    KeyBindings.dialogHints(in: state)
      .map { ($0.keys.first?.label(glyphs: state.glyphs) ?? "") + " " + ($0.hint ?? $0.help) }
      .joined(separator: "   ")
  }

  private static func renderConfirmQuit(_ state: AppState, into buffer: inout Buffer) {
    let count = state.activeUploads.count
    let here = count - state.backgroundUploads.count
    let background = !state.backgroundUploads.isEmpty
    let explanation =
      background
      ? [
        "The upload agent can finish them after you quit: tack uploads",
        "shows them from any terminal, tack pause --all stops them.",
      ]
        + (here > 0
          ? ["\(here) of them run in this process (another account) and pause."] : [])
      : [
        "Quitting pauses them. The journal keeps them, and the next",
        "start (or tack resume) continues where the server stopped.",
      ]
    dialog(
      "Quit?",
      [("\(count) upload\(count == 1 ? " is" : "s are") still running.", .normal)]
        + explanation.map { ($0, .normal) } + [("", .normal), (dialogKeys(state), .accent)],
      width: background ? 70 : 64, into: &buffer)
  }

  private static func renderConfirmDelete(
    _ state: AppState, _ attachment: TaskFileAttachment, into buffer: inout Buffer
  ) {
    dialog(
      "Delete attachment?",
      [
        (clean(attachment.name) + " (" + Format.bytes(attachment.size) + ")", .header),
        ("It is removed from the task for good.", .normal),
        ("", .normal),
        (dialogKeys(state), .accent),
      ], width: 60, into: &buffer)
  }

  private static func renderSignIn(
    _ state: AppState, _ signIn: SignInState, into buffer: inout Buffer
  ) {
    var lines: [(String, Style)] = []
    if let code = signIn.code {
      lines += [
        ("To use Microsoft To Do, sign in on any device:", .normal),
        ("", .normal),
        ("  1. open   " + clean(code.verificationURI), .accent),
        ("  2. enter  " + clean(code.userCode), .header),
        ("", .normal),
      ]
      if let failure = signIn.failure {
        lines.append(("Sign-in failed: " + clean(failure), .error))
      } else {
        let left = signIn.expires.map { Format.timeLeft(until: $0, now: state.now) } ?? ""
        lines.append(("Waiting for you to finish" + (left.isEmpty ? "" : " (code: \(left))"), .dim))
      }
    } else if let failure = signIn.failure {
      lines.append(("Sign-in failed: " + clean(failure), .error))
    } else {
      lines.append(("Asking Microsoft for a sign-in code" + state.glyphs.ellipsis, .dim))
    }
    lines.append(("", .normal))
    lines.append((dialogKeys(state), .accent))
    dialog("Sign in", lines, width: 70, into: &buffer)
  }

  private static func renderResumeOffer(
    _ state: AppState, _ uploads: [JournaledUpload], into buffer: inout Buffer
  ) {
    var lines: [(String, Style)] = [
      (
        "\(uploads.count) unfinished upload\(uploads.count == 1 ? "" : "s") from last time:",
        .normal
      )
    ]
    for upload in uploads.prefix(8) {
      let session =
        upload.expiration.map { Format.timeLeft(until: $0, now: state.now) } ?? "unknown"
      let progress = Format.progress(upload.acknowledged, of: upload.size)
      let name = DisplayWidth.pad(clean(upload.name), to: 24, ellipsis: state.glyphs.ellipsis)
      lines.append(("  \(name) \(DisplayWidth.pad(progress, to: 12))  session \(session)", .normal))
    }
    if uploads.count > 8 { lines.append(("  and \(uploads.count - 8) more", .dim)) }
    lines.append(("", .normal))
    lines.append((dialogKeys(state), .accent))
    dialog("Resume uploads?", lines, width: 72, into: &buffer)
  }
}
