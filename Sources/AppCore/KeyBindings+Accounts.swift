import TerminalCore

/// The rows for switching accounts, appended to `KeyBindings.table`: `A` opens the account
/// list (a capital, as `P` and `D` are: a key not pressed by accident).
extension KeyBindings {
  static let accountRows: [KeyBinding] = [
    KeyBinding(
      [.char("A")], .chooseAccount, "switch account (the list of signed-in accounts)", .global,
      disabled: AccountRules.choose),
    KeyBinding(
      [.enter, .right, .char("l")], .confirm, "show this account", .accounts, footer: "switch",
      hint: "switch"),
    KeyBinding(
      [.escape, .char("q"), .char("A")], .deny, "close the list", .accounts, footer: "close",
      hint: "close"),
  ]
}

/// When `A` does nothing, with the reason the status line shows.
enum AccountRules {
  static func choose(_ state: AppState) -> String? {
    if state.accounts.all.isEmpty {
      return "no account to switch to here (the demo, or TACK_ACCESS_TOKEN)"
    }
    if state.accounts.all.count < 2 {
      return "only one account is signed in (`tack login` adds another)"
    }
    if state.picker != nil {
      let close = KeyBindings.keyName(.back, in: .picker, glyphs: state.glyphs)
      return "close the file picker first (\(close))"
    }
    return nil
  }
}
