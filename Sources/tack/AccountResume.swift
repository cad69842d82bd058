import Foundation
import GraphClient
import GraphModels
import UploadEngine

/// `tack resume` over several accounts: each journaled upload goes on with the token of the
/// account that started it (its entry's `account`), one account after another.
enum AccountResume {
  /// Resumes `entries`; returns the exit code (the worst of the accounts': 130, then 3, then 1).
  ///
  /// With `--account` (or `TACK_ACCOUNT`) only that account's uploads and those that name no
  /// account are resumed; with `TACK_ACCESS_TOKEN` every upload goes with that token.
  static func run(
    _ entries: [UploadJournalEntry], global: GlobalOptions, context: ClientContext, json: Bool,
    configuration: UploadCoordinatorConfiguration = UploadCoordinatorConfiguration()
  ) throws -> Int32 {
    if context.staticToken != nil {
      return try resume(entries, global: global, json: json, configuration: configuration)
    }
    var groups = Dictionary(grouping: entries) { $0.account?.lowercased() }
    if context.account != nil {
      let chosen = try context.storedTokens()?.accountName.lowercased()
      let skipped = groups.filter { $0.key != nil && $0.key != chosen }
      for (_, group) in skipped {
        TackMain.printError(
          "tack: skipping \(group.count) upload(s) of account "
            + "\(Composition.oneLine(group[0].account ?? "")); run `tack resume` without "
            + "--account for every account")
      }
      groups = groups.filter { $0.key == nil || $0.key == chosen }
    }
    var codes: [Int32] = []
    for key in groups.keys.sorted(by: { ($0 ?? "") < ($1 ?? "") }) {
      guard let group = groups[key] else { continue }
      var options = global
      if let name = group[0].account { options.account = name }
      do {
        codes.append(
          try resume(group, global: options, json: json, configuration: configuration))
      } catch let failure as TackFailure {
        // One account signed out or expired must not keep the others' uploads waiting.
        let whose = group[0].account.map { " of account \(Composition.oneLine($0))" } ?? ""
        TackMain.printError(
          "tack: cannot resume \(group.count) upload(s)\(whose): \(failure.message)")
        codes.append(failure.code)
      }
    }
    return worst(codes)
  }

  static func worst(_ codes: [Int32]) -> Int32 {
    for code in [TackExit.interrupted, TackExit.auth, TackExit.usage, TackExit.uploadFailed]
    where codes.contains(code) {
      return code
    }
    return codes.first { $0 != TackExit.success } ?? TackExit.success
  }

  /// One account's uploads, with that account's session.
  private static func resume(
    _ entries: [UploadJournalEntry], global: GlobalOptions, json: Bool,
    configuration: UploadCoordinatorConfiguration
  ) throws -> Int32 {
    try UploadRun.withServices(global) { services in
      let run = UploadRun(services: services, json: json, configuration: configuration)
      return try await run.perform { coordinator in
        var started: [(UploadID, String)] = []
        for entry in entries {
          started.append((await coordinator.resume(journaled: entry), entry.filePath))
        }
        return started
      }
    }
  }
}
