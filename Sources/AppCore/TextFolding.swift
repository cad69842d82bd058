import Foundation

/// The one rule for matching typed text: case-, accent- and width-insensitive ("cafe" finds
/// "Café", "ecole" finds "ÉCOLE"). The `/` filters and the global search both use it.
public enum TextFolding {
  /// `text` as matching compares it.
  public static func fold(_ text: String) -> String {
    text.folding(
      options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
  }

  /// True when `candidate` contains `needle`, which is already folded (empty matches all).
  public static func matches(_ candidate: String, folded needle: String) -> Bool {
    needle.isEmpty || fold(candidate).contains(needle)
  }
}
