import Foundation
import TerminalCore

extension Screen {
  /// The rows the account list shows at most; the rest scroll.
  static let accountRows = 10

  /// `A`: the signed-in accounts, the one shown marked, the highlighted one pointed at.
  static func renderAccounts(_ state: AppState, selected: Int, into buffer: inout Buffer) {
    let all = state.accounts.all
    let first = max(0, min(selected - accountRows + 1, all.count - accountRows))
    var lines: [(String, Style)] = [("Show the lists of:", .normal)]
    for (index, account) in all.enumerated().dropFirst(first).prefix(accountRows) {
      var notes: [String] = []
      if account.id == state.accounts.current { notes.append("shown") }
      if account.isDefault { notes.append("default") }
      let pointer = index == selected ? state.glyphs.pointer : " "
      let name = DisplayWidth.pad(clean(account.label), to: 40, ellipsis: state.glyphs.ellipsis)
      let note = notes.isEmpty ? "" : " (" + notes.joined(separator: ", ") + ")"
      lines.append((pointer + " " + name + note, index == selected ? .selected : .normal))
    }
    lines.append(("Uploads keep running under the account that started them.", .dim))
    lines.append(("", .normal))
    lines.append((dialogKeys(state), .accent))
    dialog("Accounts", lines, width: 66, into: &buffer)
  }
}
