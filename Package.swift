// swift-tools-version: 6.2
import PackageDescription

// Warnings are errors on CI, for our own targets only (dependencies keep their warnings).
let strict: [SwiftSetting] =
  Context.environment["CI"] != nil ? [.treatAllWarnings(as: .error)] : []

// A release `tack` on Linux carries the Swift runtime and Foundation in itself, linked by lld
// with packed relative relocations: it starts in 10 ms instead of 17 and its agent stays under
// 40 MB of resident memory (DECISIONS.md 2026-12-03, "A self-contained release binary").
// Debug builds (the tests) link as before.
let releaseLinking: [LinkerSetting] = [
  .unsafeFlags(
    [
      "-static-stdlib", "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
      // What the static Foundation archives need (their shared twins name it themselves).
      "-lFoundationInternationalization", "-lFoundationEssentials", "-l_FoundationICU",
      "-l_FoundationCShims", "-l_FoundationCollections", "-lCoreFoundation",
      "-lswiftSynchronization",
    ],
    .when(platforms: [.linux], configuration: .release))
]

let package = Package(
  name: "tack",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "tack", targets: ["tack"]),
    .executable(name: "tack-bench", targets: ["tack-bench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
  ],
  targets: [
    // MARK: Pure leaves (no I/O)

    /// Codable wire values, byte ranges, Graph error bodies, upload events.
    .target(name: "GraphModels", dependencies: ["CSHA256"], swiftSettings: strict),
    /// Terminal model: cells, buffers, display width, sanitising, widgets, keys.
    .target(name: "TerminalCore", swiftSettings: strict),
    /// App state, actions, effects, reducer, key bindings, screen views.
    .target(name: "AppCore", dependencies: ["GraphModels", "TerminalCore"], swiftSettings: strict),

    // MARK: Graph access and uploads

    /// HTTP transport, endpoints, paging, retry policy, device-code auth and token store.
    .target(
      name: "GraphClient",
      dependencies: [
        "GraphModels",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    /// Chunk planner, upload state machine, coordinator actor, durable journal.
    .target(
      name: "UploadEngine",
      dependencies: [
        "GraphModels", "GraphClient", .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    /// The upload agent's socket protocol: hello, requests, replies, events (pure).
    .target(name: "AgentProtocol", dependencies: ["GraphModels"], swiftSettings: strict),
    /// The per-user upload agent: its Unix socket server and client, on NIOPosix.
    .target(
      name: "UploadAgent",
      dependencies: [
        "AgentProtocol", "GraphModels", "GraphClient", "UploadEngine",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    /// A Hummingbird server emulating the Graph To Do subset and the identity endpoints.
    .target(
      name: "GraphEmulator",
      dependencies: [
        "GraphModels",
        .product(name: "HummingbirdCore", package: "hummingbird"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),

    /// The offline read cache: lists, tasks, steps and attachment metadata per account (SQLite).
    .target(
      name: "ReadCache",
      dependencies: ["GraphModels", .product(name: "GRDB", package: "GRDB.swift")],
      swiftSettings: strict
    ),

    // MARK: Terminal backend

    .systemLibrary(name: "CNcursesw", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),
    /// Async-signal-safe terminal restore on fatal signals.
    .target(name: "CTermGuard"),
    /// SHA-256 block compression with the x86 SHA extensions; used by GraphModels.SHA256.
    .target(name: "CSHA256"),
    /// The ncurses backend; the only importer of CNcursesw.
    .target(
      name: "TerminalCurses",
      dependencies: ["TerminalCore", "CNcursesw", "CTermGuard"],
      swiftSettings: strict
    ),
    /// The program loop: keys, resize, Graph results and upload events become actions.
    .target(
      name: "AppRuntime",
      dependencies: ["AppCore", "TerminalCore", "GraphClient", "UploadEngine", "GraphModels"],
      swiftSettings: strict
    ),

    // MARK: Executables

    .executableTarget(
      name: "tack",
      dependencies: [
        "GraphModels", "GraphClient", "UploadEngine", "GraphEmulator", "TerminalCore",
        "TerminalCurses", "AppCore", "AppRuntime", "ReadCache", "AgentProtocol", "UploadAgent",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict,
      linkerSettings: releaseLinking
    ),
    .executableTarget(
      name: "tack-bench",
      dependencies: [
        "GraphModels", "GraphClient", "UploadEngine", "GraphEmulator", "TerminalCore",
        "TmuxDriver", .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: strict
    ),
    /// Drives a program in a private tmux server: the end-to-end tests and `tack-bench tui`
    /// share it; `tack` never links it.
    .target(name: "TmuxDriver", swiftSettings: strict),

    // MARK: Tests

    /// Shared helpers: temporary directories, emulator fixtures, the `tack` binary.
    .target(
      name: "TestSupport",
      dependencies: [
        "GraphModels", "GraphEmulator", "GraphClient",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ],
      path: "Tests/TestSupport",
      swiftSettings: strict
    ),
    /// An in-memory terminal: keys queued by the test, frames recorded.
    .target(
      name: "TerminalTesting", dependencies: ["TerminalCore"], path: "Tests/TerminalTesting",
      swiftSettings: strict
    ),
    .testTarget(name: "GraphModelsTests", dependencies: ["GraphModels"], swiftSettings: strict),
    .testTarget(
      name: "AgentProtocolTests", dependencies: ["AgentProtocol", "GraphModels"],
      swiftSettings: strict
    ),
    .testTarget(
      name: "GraphEmulatorTests",
      dependencies: ["GraphEmulator", "GraphModels", "TestSupport"],
      swiftSettings: strict
    ),
    .testTarget(
      name: "GraphClientTests",
      dependencies: [
        "GraphClient", "GraphModels", "GraphEmulator", "TestSupport",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    .testTarget(
      name: "UploadEngineTests",
      dependencies: ["UploadEngine", "GraphClient", "GraphModels", "GraphEmulator", "TestSupport"],
      swiftSettings: strict
    ),
    /// Seeded mutations of Graph answers driven through GraphSession and the upload engine.
    .testTarget(
      name: "FuzzTests",
      dependencies: ["UploadEngine", "GraphClient", "GraphModels", "GraphEmulator", "TestSupport"],
      swiftSettings: strict
    ),
    .testTarget(
      name: "TerminalCoreTests", dependencies: ["TerminalCore", "TerminalTesting"],
      swiftSettings: strict
    ),
    .testTarget(
      name: "AppCoreTests",
      dependencies: ["AppCore", "TerminalCore", "GraphModels"],
      exclude: ["__Snapshots__"],
      swiftSettings: strict
    ),
    .testTarget(
      name: "AppRuntimeTests",
      dependencies: [
        "AppRuntime", "AppCore", "TerminalCore", "TerminalTesting", "GraphClient", "GraphModels",
        "UploadEngine", "GraphEmulator", "TestSupport",
      ],
      swiftSettings: strict
    ),
    .testTarget(
      name: "ReadCacheTests", dependencies: ["ReadCache", "GraphModels", "TestSupport"],
      swiftSettings: strict
    ),
    .testTarget(
      name: "EndToEndTests",
      dependencies: ["TestSupport", "TmuxDriver", "GraphModels", "GraphEmulator", "tack"],
      swiftSettings: strict
    ),
  ]
)
