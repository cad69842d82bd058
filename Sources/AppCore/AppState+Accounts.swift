import Foundation

/// One signed-in account the interface can switch to.
public struct AccountEntry: Sendable, Hashable, Identifiable {
  /// Stable and unique among the accounts (the composition root's account key).
  public var id: String
  /// What the title bar and the account list show (the username).
  public var label: String
  /// The account `tack` uses when none is named.
  public var isDefault: Bool

  public init(id: String, label: String, isDefault: Bool = false) {
    self.id = id
    self.label = label
    self.isDefault = isDefault
  }
}

/// The accounts of this run and which one the panes show.
///
/// `generation` counts switches: effects that read or write Graph are answered with the
/// generation they were issued under (`Action.fromAccount`), and answers from before the last
/// switch are dropped, so the old account's lists never land in the new account's panes.
public struct AccountsState: Sendable, Hashable {
  /// Every account that can be shown, in the order the list offers them; empty in the demo and
  /// with an access token.
  public var all: [AccountEntry]
  /// The id of the account the panes show.
  public var current: String?
  /// Bumped by every switch.
  public var generation: Int

  public init(all: [AccountEntry] = [], current: String? = nil, generation: Int = 0) {
    self.all = all
    self.current = current
    self.generation = generation
  }

  /// The position of the current account in `all`.
  public var currentIndex: Int? {
    all.firstIndex { $0.id == current }
  }
}
