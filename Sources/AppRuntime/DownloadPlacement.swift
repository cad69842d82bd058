import Foundation

/// Where `d` saves an attachment and under what name: pure rules, no file system access (the
/// caller passes what it found), so every case is a unit test.
public enum DownloadPlacement {
  /// The longest file name most Linux file systems take, in bytes.
  public static let nameLimit = 255
  /// An extension longer than this (in bytes) is treated as part of the stem when shortening.
  static let extensionLimit = 32

  // MARK: Directory

  /// The user's download directory: `XDG_DOWNLOAD_DIR` from the environment, else the one
  /// `$XDG_CONFIG_HOME/user-dirs.dirs` names (`userDirs` is that file's text), else
  /// `~/Downloads`, else the working directory. A choice is taken only when `isDirectory` says it
  /// exists; relative values are ignored.
  public static func directory(
    environment: [String: String], userDirs: String?, home: String, workingDirectory: String,
    isDirectory: (String) -> Bool
  ) -> String {
    var choices: [String] = []
    if let value = environment["XDG_DOWNLOAD_DIR"] { choices.append(expand(value, home: home)) }
    if let userDirs, let value = userDirsValue("XDG_DOWNLOAD_DIR", in: userDirs) {
      choices.append(expand(value, home: home))
    }
    if !home.isEmpty { choices.append(home + "/Downloads") }
    for choice in choices where choice.hasPrefix("/") && isDirectory(choice) { return choice }
    return workingDirectory
  }

  /// The value of `key` in a `user-dirs.dirs` file (`KEY="$HOME/Downloads"` lines; `#` comments).
  static func userDirsValue(_ key: String, in text: String) -> String? {
    for raw in text.split(whereSeparator: \.isNewline) {
      let line = raw.trimmingCharacters(in: .whitespaces)
      guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
      guard line[..<equals].trimmingCharacters(in: .whitespaces) == key else { continue }
      var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
      if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
        value = String(value.dropFirst().dropLast())
      }
      return value.isEmpty ? nil : value
    }
    return nil
  }

  /// `$HOME/…`, `${HOME}/…` and `~/…` with the home directory put in.
  static func expand(_ value: String, home: String) -> String {
    for prefix in ["$HOME", "${HOME}", "~"] where value == prefix || value.hasPrefix(prefix + "/") {
      return home + value.dropFirst(prefix.count)
    }
    return value
  }

  // MARK: Names

  /// The file name for an attachment called `name`, or its `attempt`-th alternative
  /// (`stem (1).ext`, …) when that one is taken: one path component (slashes and NULs become
  /// `_`), not hidden (leading dots become `_`, so `.bash_profile` cannot become a shell's
  /// start-up file), and at most `nameLimit` bytes of UTF-8, shortened at a character boundary
  /// with the extension kept.
  public static func fileName(for name: String, attempt: Int = 0) -> String {
    var safe = String(name.map { $0 == "/" || $0 == "\0" ? "_" : $0 })
    let dots = safe.prefix { $0 == "." }.count
    if dots > 0 { safe = String(repeating: "_", count: dots) + safe.dropFirst(dots) }
    if safe.trimmingCharacters(in: .whitespaces).isEmpty { safe = "attachment" }
    var (stem, suffix) = split(safe)
    if attempt > 0 { suffix = " (\(attempt))" + suffix }
    return shorten(stem, toFit: nameLimit - suffix.utf8.count) + suffix
  }

  /// `name` as stem and extension (with its dot); no extension when it would be the whole name or
  /// longer than `extensionLimit` bytes.
  static func split(_ name: String) -> (stem: String, suffix: String) {
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex,
      name[dot...].utf8.count <= extensionLimit
    else { return (name, "") }
    return (String(name[..<dot]), String(name[dot...]))
  }

  /// The longest prefix of `text` whose UTF-8 form is at most `bytes` bytes, cut between
  /// characters (never inside one, so combining marks stay with their base).
  static func shorten(_ text: String, toFit bytes: Int) -> String {
    guard text.utf8.count > bytes else { return text }
    var used = 0
    var end = text.startIndex
    for index in text.indices {
      let size = text[index].utf8.count
      if used + size > bytes { break }
      used += size
      end = text.index(after: index)
    }
    return String(text[..<end])
  }
}
