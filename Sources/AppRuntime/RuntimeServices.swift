import Foundation
import GraphClient
import GraphModels
import UploadEngine

/// The live objects the interface works with.
public struct RuntimeServices: Sendable {
  public var session: GraphSession
  public var coordinator: UploadCoordinator
  /// Offered for resume at start; nil in the demo (its sessions die with the emulator).
  public var journal: UploadJournal?
  public var fileSystem: any FileSystemBrowser
  /// The session's notices (long waits, skipped items), shown on the status line.
  public var notices: GraphNoticeRelay?
  /// Which journaled uploads this account offers to resume (with several accounts, its own:
  /// each resumes with the token of the account that started it); nil: every one.
  public var ownsJournaled: (@Sendable (UploadJournalEntry) -> Bool)?

  public init(
    session: GraphSession, coordinator: UploadCoordinator, journal: UploadJournal?,
    fileSystem: any FileSystemBrowser = LocalFileSystem(), notices: GraphNoticeRelay? = nil,
    ownsJournaled: (@Sendable (UploadJournalEntry) -> Bool)? = nil
  ) {
    self.notices = notices
    self.ownsJournaled = ownsJournaled
    self.session = session
    self.coordinator = coordinator
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
