/// Which account a journaled upload belongs to, where several are signed in.
extension UploadJournalEntry {
  /// True when the account named `name` (without regard to case) started this upload; an entry
  /// naming no account (written before several sign-ins, or under `TACK_ACCESS_TOKEN`) belongs
  /// to it when `includingUnnamed` (the default account's, as `tack resume` treats them).
  public func belongs(toAccount name: String, includingUnnamed: Bool) -> Bool {
    guard let account else { return includingUnnamed }
    return account.lowercased() == name.lowercased()
  }
}
