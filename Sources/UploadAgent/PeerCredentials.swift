import NIOCore

#if canImport(Glibc)
  import Glibc
#endif

/// Who is at the other end of a Unix socket, from `SO_PEERCRED` (the kernel's record of the
/// process that called `connect`, which the peer cannot forge).
public struct PeerCredentials: Sendable, Hashable {
  public var pid: Int32
  public var uid: UInt32
  public var gid: UInt32

  /// Reads the credentials of `channel`'s peer (Linux); nil when the channel cannot tell.
  static func of(_ channel: any Channel) -> EventLoopFuture<PeerCredentials?> {
    #if os(Linux)
      guard let provider = channel as? any SocketOptionProvider else {
        return channel.eventLoop.makeSucceededFuture(nil)
      }
      // `struct ucred { pid_t pid; uid_t uid; gid_t gid; }`, read as three 32-bit fields.
      let future: EventLoopFuture<Wire> = provider.unsafeGetSocketOption(
        level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
      return future.map { wire -> PeerCredentials? in
        PeerCredentials(pid: wire.pid, uid: wire.uid, gid: wire.gid)
      }
      .recover { _ in nil }
    #else
      return channel.eventLoop.makeSucceededFuture(nil)
    #endif
  }

  private struct Wire: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
  }
}
