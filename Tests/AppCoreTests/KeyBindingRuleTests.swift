import Foundation
import GraphModels
import TerminalCore
import Testing

@testable import AppCore

/// The binding table is the one place a key lives: its rule, its footer label and its dialog hint.
struct KeyBindingRuleTests {
  /// States that reach every context of the table.
  private func states() throws -> [AppState] {
    var result = [AppState(now: t0), Fixtures.browsing(), Fixtures.uploading()]
    for focus in Pane.allCases {
      var state = Fixtures.uploading()
      state.focus = focus
      result.append(state)
    }
    var picker = Fixtures.browsing()
    _ = reduce(&picker, .key(.char("a")))
    _ = reduce(&picker, .directoryListed(path: "/home/ann", .success(Fixtures.directory)))
    result.append(picker)
    var filtering = picker
    _ = reduce(&filtering, .key(.char("/")))
    result.append(filtering)
    var help = Fixtures.browsing()
    _ = reduce(&help, .key(.char("?")))
    result.append(help)
    var quit = Fixtures.uploading()
    _ = reduce(&quit, .key(.char("q")))
    result.append(quit)
    var quitBackground = Fixtures.uploading()
    _ = reduce(&quitBackground, .uploadsAttached([], background: true))
    _ = reduce(&quitBackground, .key(.char("q")))
    result.append(quitBackground)
    var delete = Fixtures.browsing()
    _ = reduce(&delete, .key(.enter))
    _ = reduce(&delete, .key(.char("D")))
    result.append(delete)
    var resume = Fixtures.browsing()
    _ = reduce(
      &resume, .journalFound([JournaledUpload(id: "J1", name: "a", size: 10, acknowledged: 5)]))
    result.append(resume)
    var signIn = AppState(now: t0)
    _ = reduce(&signIn, .signInStarted)
    result.append(signIn)
    var accounts = Fixtures.browsing()
    accounts.accounts = AccountsState(
      all: [AccountEntry(id: "a", label: "a@x"), AccountEntry(id: "b", label: "b@x")],
      current: "a")
    _ = reduce(&accounts, .key(.char("A")))
    result.append(accounts)
    var search = Fixtures.browsing()
    _ = reduce(&search, .key(.char("F")))
    result.append(search)
    for key: Character in ["n", "d"] {
      var prompt = Fixtures.browsing()
      _ = reduce(&prompt, .key(.char(key)))
      result.append(prompt)
    }
    return result
  }

  @Test func theStatesCoverEveryContext() throws {
    let reached = Set(try states().flatMap { KeyBindings.contexts(in: $0) })
    #expect(reached == Set(KeyContext.allCases))
  }

  @Test func aDisabledBindingDoesNothingAndShowsItsReason() throws {
    var checked = 0
    for state in try states() {
      for context in KeyBindings.contexts(in: state) {
        for binding in KeyBindings.table where binding.context == context {
          guard let reason = binding.disabledReason(in: state),
            let key = binding.keys.first(where: {
              KeyBindings.binding(for: $0, in: state) == binding
            })
          else { continue }
          var pressed = state
          #expect(reduce(&pressed, .key(key)).isEmpty, "\(key) in \(context)")
          #expect(pressed.status?.text == reason, "\(key) in \(context)")
          #expect(pressed.overlay == state.overlay)
          #expect(pressed.picker == state.picker)
          checked += 1
        }
      }
    }
    #expect(checked >= 8)
  }

  @Test func reasonsNameTheirKeysFromTheTable() {
    var state = Fixtures.uploading()
    state.focus = .uploads
    state.uploadsState = ListState(selected: 4)
    #expect(state.selectedUpload?.phase == .failed("the file changed since it was queued"))
    _ = reduce(&state, .key(.char("p")))
    #expect(state.status?.text == "that upload failed: press r to retry")
    var picker = Fixtures.browsing()
    _ = reduce(&picker, .key(.char("a")))
    _ = reduce(&picker, .key(.tab))
    #expect(picker.status?.text == "close the file picker first (Esc)")
    #expect(picker.picker != nil)
  }

  @Test func theFooterShowsTheTablesEnabledBindings() throws {
    for state in try states() where !Layout.isTooSmall(state.size) {
      var expected: [KeyBinding] = []
      for context in KeyBindings.contexts(in: state) {
        for binding in KeyBindings.table where binding.context == context && binding.footer != nil {
          if !expected.contains(where: { $0.command == binding.command }) {
            expected.append(binding)
          }
        }
      }
      #expect(KeyBindings.footer(in: state) == expected)
      let footer = Screen.render(state).lines()[state.size.height - 1]
      for binding in expected {
        let hint = binding.keys[0].label(glyphs: state.glyphs) + " " + (binding.footer ?? "")
        if binding.disabledReason(in: state) == nil {
          // An optional hint may give its room to the others (it is still in `?`).
          #expect(
            footer.contains(hint) || (binding.footerOptional && !footer.contains("…")),
            "\(hint) missing in \(footer)")
        } else {
          #expect(!footer.contains(hint), "disabled \(hint) shown in \(footer)")
        }
      }
    }
  }

  @Test func dialogKeyLinesComeFromTheTable() throws {
    var lines: [KeyContext: String] = [:]
    for state in try states() where state.overlay != nil {
      guard let context = KeyBindings.contexts(in: state).first, context != .help else {
        continue
      }
      let rows = KeyBindings.table.filter { $0.context == context && $0.hint != nil }
      #expect(!rows.isEmpty, "\(context) offers no keys")
      #expect(KeyBindings.dialogHints(in: state) == rows)
      let line = Screen.dialogKeys(state)
      for row in rows {
        #expect(line.contains(row.keys[0].label(glyphs: state.glyphs) + " " + (row.hint ?? "")))
      }
      #expect(Screen.render(state).text.contains(line))
      lines[context] = line
    }
    // The texts the snapshots show.
    #expect(lines[.confirmQuit] == "y quit   n stay")
    #expect(
      lines[.confirmQuitBackground]
        == "Enter keep uploading   p pause them   x cancel them   Esc stay")
    #expect(lines[.confirmDelete] == "y delete   n keep")
    #expect(lines[.resume] == "Enter resume all   Esc later (kept)   X discard")
    #expect(lines[.signIn] == "q quit")
  }

  @Test func everyDialogKeyIsHandledByItsBinding() throws {
    for state in try states() where state.overlay != nil {
      for binding in KeyBindings.dialogHints(in: state) {
        #expect(KeyBindings.binding(for: binding.keys[0], in: state) == binding)
      }
    }
  }

  @Test func textsThatNameAKeyUseTheTable() {
    #expect(KeyBindings.keyName(.quit, in: .global) == "q")
    #expect(KeyBindings.keyName(.open, in: .lists) == "Enter")
    #expect(KeyBindings.keyName(.back, in: .help) == "Esc")
    let empty = Screen.render(AppState(now: t0)).text
    #expect(empty.contains("Open a list (Enter)"))
    var small = Fixtures.browsing()
    _ = reduce(&small, .resized(Size(width: 60, height: 20)))
    #expect(Screen.render(small).text.contains("press q to quit"))
  }
}
