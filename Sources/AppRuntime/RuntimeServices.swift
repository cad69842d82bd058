import Foundation
import GraphClient
import GraphModels
import UploadEngine

/// The live objects the interface works with.
public struct RuntimeServices: Sendable {
  public var session: GraphSession
  /// Where uploads run: in this process, or in the upload agent.
  public var uploads: any UploadBackend
  /// Why uploads run in this process though the agent was wanted (one status-line notice).
  public var uploadNotice: String?
  /// Offered for resume at start; nil in the demo (its sessions die with the emulator).
  public var journal: UploadJournal?
  public var fileSystem: any FileSystemBrowser
  /// The session's notices (long waits, skipped items), shown on the status line.
  public var notices: GraphNoticeRelay?
  /// Which journaled uploads this account offers to resume (with several accounts, its own:
  /// each resumes with the token of the account that started it); nil: every one.
  public var ownsJournaled: (@Sendable (UploadJournalEntry) -> Bool)?
  /// Where a list's tasks are kept with the delta link they were loaded at, so the next load is
  /// a delta round; nil: every load is a full one (the demo, tests).
  public var deltaLinks: (any DeltaLinkStore)?

  public init(
    session: GraphSession, coordinator: UploadCoordinator, journal: UploadJournal?,
    fileSystem: any FileSystemBrowser = LocalFileSystem(), notices: GraphNoticeRelay? = nil,
    ownsJournaled: (@Sendable (UploadJournalEntry) -> Bool)? = nil
  ) {
    self.init(
      session: session, uploads: coordinator, journal: journal, fileSystem: fileSystem,
      notices: notices, ownsJournaled: ownsJournaled)
  }

  public init(
    session: GraphSession, uploads: any UploadBackend, journal: UploadJournal?,
    fileSystem: any FileSystemBrowser = LocalFileSystem(), notices: GraphNoticeRelay? = nil,
    ownsJournaled: (@Sendable (UploadJournalEntry) -> Bool)? = nil
  ) {
    self.notices = notices
    self.ownsJournaled = ownsJournaled
    self.session = session
    self.uploads = uploads
    self.journal = journal
    self.fileSystem = fileSystem
  }
}

/// How the interface reaches Graph: already signed in, or after a device-code sign-in.
public enum RuntimeConnection: Sendable {
  case ready(RuntimeServices)
  /// Signs in first: `signIn` hands the device code to `show` (the modal displays it), waits
  /// until the user finished on another device, and returns the services.
  case signIn(
    @Sendable (_ show: @escaping @Sendable (DeviceCodeResponse) -> Void) async throws
      -> RuntimeServices)
}
