import Foundation

// `tack-bench upload` | `tui` | `delta` | `bwlimit`: figures for the README (DESIGN.md §9).
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "upload":
  exit(await UploadBench.run(Array(arguments.dropFirst())))
case "tui":
  exit(await TUIBench.run(Array(arguments.dropFirst())))
case "delta":
  exit(await DeltaBench.run(Array(arguments.dropFirst())))
case "bwlimit":
  exit(await BandwidthBench.run(Array(arguments.dropFirst())))
default:
  FileHandle.standardError.write(
    Data(
      "usage: tack-bench upload [--runs N] [--agent] | tui [...] | delta | bwlimit [--rate 1M]\n"
        .utf8))
  exit(2)
}
