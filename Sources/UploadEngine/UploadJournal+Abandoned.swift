import Foundation
import GraphClient
import GraphModels

extension UploadJournal {
  /// True when `id` was being driven by a process that died (killed, crashed, rebooted): its lock
  /// file is still there (a clean release removes it) and nobody holds it.
  public func wasAbandoned(_ id: UploadID) -> Bool {
    let path = lockPath(for: id)
    return FileManager.default.fileExists(atPath: path) && FileLock.holder(of: path) == nil
  }
}
