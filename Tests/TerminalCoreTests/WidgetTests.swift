import TerminalTesting
import Testing

@testable import TerminalCore

struct ListStateTests {
  @Test func movingScrollsJustEnoughToShowTheSelection() {
    var state = ListState()
    state.move(by: 5, count: 10, viewport: 4)
    #expect(state == ListState(selected: 5, offset: 2))
    state.move(by: -1, count: 10, viewport: 4)
    #expect(state == ListState(selected: 4, offset: 2))
    state.move(by: -3, count: 10, viewport: 4)
    #expect(state == ListState(selected: 1, offset: 1))
    state.move(by: 100, count: 10, viewport: 4)
    #expect(state == ListState(selected: 9, offset: 6))
    state.move(by: -100, count: 10, viewport: 4)
    #expect(state == ListState(selected: 0, offset: 0))
  }

  @Test func clampFollowsAShrinkingList() {
    var state = ListState(selected: 8, offset: 6)
    state.clamp(count: 3, viewport: 4)
    #expect(state == ListState(selected: 2, offset: 0))
    state.clamp(count: 0, viewport: 4)
    #expect(state == ListState(selected: 0, offset: 0))
  }

  @Test func growingViewportPullsOffsetBack() {
    let state = ListState(selected: 9, offset: 6)
    #expect(state.visibleOffset(count: 10, viewport: 8) == 2)
  }
}

struct ListViewTests {
  private let rows = (0..<10).map { ListRow("item \($0)", trailing: "\($0 * 10) B") }

  @Test func rendersVisibleRowsWithPointerAndScrollMarkers() {
    var buffer = Buffer(width: 16, height: 4)
    ListView(rows: rows).render(
      into: &buffer, area: buffer.area, state: ListState(selected: 5, offset: 2))
    #expect(
      buffer.lines() == [
        " item 2    20 B▲",
        " item 3    30 B",
        " item 4    40 B",
        "▶item 5    50 B▼",
      ])
    #expect(buffer[3, 3].style == .selected)
    #expect(buffer[3, 2].style == .normal)
  }

  @Test func unfocusedSelectionIsDimmerAndHasNoPointer() {
    var buffer = Buffer(width: 13, height: 2)
    ListView(rows: Array(rows.prefix(2)), focused: false).render(
      into: &buffer, area: buffer.area, state: ListState(selected: 1))
    #expect(buffer.lines() == [" item 0  0 B", " item 1 10 B"])
    #expect(buffer[2, 1].style == .selectedInactive)
  }

  @Test func marksAndEmptyText() {
    var buffer = Buffer(width: 14, height: 3)
    let marked = [
      ListRow("a.txt", mark: .marked), ListRow("b.txt", mark: .unmarked),
      ListRow("huge.iso", mark: .unmarkable),
    ]
    ListView(rows: marked).render(into: &buffer, area: buffer.area, state: ListState())
    #expect(buffer.lines() == ["▶● a.txt", " ○ b.txt", " ✗ huge.iso"])

    var empty = Buffer(width: 14, height: 2)
    ListView(rows: [], emptyText: "No tasks").render(
      into: &empty, area: empty.area, state: ListState())
    #expect(empty.lines() == [" No tasks", ""])
  }

  @Test func longTextIsTruncatedBeforeTheTrailingColumn() {
    var buffer = Buffer(width: 16, height: 1)
    ListView(rows: [ListRow("長いタスクの名前です", trailing: "1 KB")]).render(
      into: &buffer, area: buffer.area, state: ListState())
    #expect(buffer.lines() == ["▶長いタス… 1 KB"])
  }
}

struct TableTests {
  private let columns = [
    TableColumn("Name", width: .flexible(minimum: 4)),
    TableColumn("Size", width: .fixed(5), alignment: .trailing),
    TableColumn("Bar", width: .fixed(4)),
  ]

  @Test func resolvesFixedThenFlexibleWidths() {
    #expect(Table.resolveWidths(columns, total: 20) == [9, 5, 4])
    #expect(Table.resolveWidths(columns, total: 8) == [0, 5, 1])
    let two = [
      TableColumn("a", width: .flexible(minimum: 1)),
      TableColumn("b", width: .flexible(minimum: 1)),
    ]
    #expect(Table.resolveWidths(two, total: 10) == [5, 4])
  }

  @Test func rendersHeaderRowsAndGauges() {
    var buffer = Buffer(width: 21, height: 3)
    let table = Table(
      columns: columns,
      rows: [
        TableRow([
          .text("report.pdf"), .text("12 MB"),
          .gauge(SegmentedGauge(segments: [.acknowledged, .pending])),
        ]),
        TableRow([
          .text("b"), .text("1 B", style: .dim), .gauge(SegmentedGauge(segments: [.retrying])),
        ]),
      ])
    table.render(into: &buffer, area: buffer.area, state: ListState(selected: 1))
    #expect(
      buffer.lines() == [
        " Name       Size Bar",
        " report.p… 12 MB ██░░",
        "▶b           1 B ▒▒▒▒",
      ])
    #expect(buffer[1, 2].style == .selected)
    #expect(buffer[19, 2].style == .barRetrying)
    #expect(buffer[1, 0].style == .header)
  }
}

struct HelpBarTests {
  private let items = [
    HelpItem(key: "q", label: "quit"), HelpItem(key: "?", label: "help"),
    HelpItem(key: "a", label: "attach"), HelpItem(key: "p", label: "pause"),
  ]

  @Test func fitsAllItemsAndTrailingText() {
    var buffer = Buffer(width: 50, height: 1)
    HelpBar(items: items, trailing: "2 uploads").render(into: &buffer, area: buffer.area)
    #expect(buffer.text == "q quit  ? help  a attach  p pause        2 uploads")
    #expect(buffer[0, 0].style == .accent)
    #expect(buffer[2, 0].style == .normal)
  }

  @Test func cutsHintsWithAnEllipsis() {
    var buffer = Buffer(width: 24, height: 1)
    HelpBar(items: items).render(into: &buffer, area: buffer.area)
    #expect(buffer.text == "q quit  ? help  …")
    var narrow = Buffer(width: 20, height: 1)
    HelpBar(items: items, trailing: "a long status text").render(into: &narrow, area: narrow.area)
    #expect(narrow.text == "q quit  … a long st…")
  }

  @Test func anOptionalHintGivesWaySilentlyWhenTheRowIsFull() {
    let withSearch = items + [HelpItem(key: "F", label: "search", optional: true)]
    var wide = Buffer(width: 43, height: 1)
    HelpBar(items: withSearch).render(into: &wide, area: wide.area)
    #expect(wide.text == "q quit  ? help  a attach  p pause  F search")
    var full = Buffer(width: 42, height: 1)
    HelpBar(items: withSearch).render(into: &full, area: full.area)
    #expect(full.text == "q quit  ? help  a attach  p pause")
  }
}

struct FrameTests {
  @Test func drawsABoxWithTitleAndReturnsTheInside() {
    var buffer = Buffer(width: 12, height: 4)
    let inner = Frame(title: "Lists").render(into: &buffer, area: buffer.area)
    #expect(inner == Rect(x: 1, y: 1, width: 10, height: 2))
    #expect(
      buffer.lines() == [
        "┌ Lists ───┐",
        "│          │",
        "│          │",
        "└──────────┘",
      ])
    var ascii = Buffer(width: 6, height: 3, glyphs: .ascii)
    Frame(title: "Long title").render(into: &ascii, area: ascii.area)
    #expect(ascii.lines() == ["+ Lo~+", "|    |", "+----+"])
  }

  @Test func wrapsWordsByWidth() {
    #expect(TextBox.wrap("the quick brown fox", width: 10) == ["the quick", "brown fox"])
    #expect(TextBox.wrap("中文中文中文", width: 5) == ["中文", "中文", "中文"])
    #expect(TextBox.wrap("abcdefgh ij", width: 3) == ["abc", "def", "gh", "ij"])
    #expect(TextBox.wrap("a\n\nb", width: 3) == ["a", "", "b"])
    #expect(TextBox.wrap("中", width: 1) == ["中"])
  }
}

@MainActor
struct TestTerminalTests {
  @Test func queuesKeysAndRecordsFrames() {
    let terminal = TestTerminal()
    terminal.send(.down, .enter)
    terminal.type("ab")
    #expect(terminal.readKeys() == [.down, .enter, .char("a"), .char("b")])
    #expect(terminal.readKeys().isEmpty)
    terminal.resize(to: Size(width: 100, height: 30))
    #expect(terminal.readKeys() == [.resize])
    #expect(terminal.size == Size(width: 100, height: 30))
    terminal.present(Buffer(width: 1, height: 1))
    #expect(terminal.frames.count == 1)
  }

  @Test func keyLabelsForHelp() {
    #expect(KeyEvent.char(" ").label() == "Space")
    #expect(KeyEvent.ctrl("l").label() == "Ctrl-L")
    #expect(KeyEvent.up.label() == "↑")
    #expect(KeyEvent.up.label(glyphs: .ascii) == "Up")
    #expect(KeyEvent.function(1).label() == "F1")
  }
}
