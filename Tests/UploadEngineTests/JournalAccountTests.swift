import Testing

@testable import UploadEngine

/// With several accounts, each resumes only the journaled uploads it started.
@Suite struct JournalAccountTests {
  @Test func anEntryBelongsToTheAccountThatStartedItWithoutRegardToCase() {
    var entry = UploadJournalTests.entry()
    entry.account = "Second@tack.invalid"
    #expect(entry.belongs(toAccount: "second@TACK.invalid", includingUnnamed: false))
    #expect(!entry.belongs(toAccount: "demo@tack.invalid", includingUnnamed: true))
  }

  @Test func anEntryNamingNoAccountGoesWithTheDefaultOnly() {
    let entry = UploadJournalTests.entry()
    #expect(entry.account == nil)
    #expect(entry.belongs(toAccount: "demo@tack.invalid", includingUnnamed: true))
    #expect(!entry.belongs(toAccount: "second@tack.invalid", includingUnnamed: false))
  }
}
