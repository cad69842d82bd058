import AgentProtocol
import NIOCore

/// Splits the byte stream into lines (without the `\n`); a line longer than `maxLength` is a
/// protocol error that closes the connection, so a peer cannot make us buffer without bound.
struct LineFrameDecoder: ByteToMessageDecoder {
  typealias InboundOut = ByteBuffer

  var maxLength = AgentCodec.maxLineBytes

  mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws
    -> DecodingState
  {
    let view = buffer.readableBytesView
    guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
      if buffer.readableBytes > maxLength {
        throw AgentProtocolError("a line longer than \(maxLength) bytes")
      }
      return .needMoreData
    }
    let length = newline - view.startIndex
    guard length <= maxLength else {
      throw AgentProtocolError("a line longer than \(maxLength) bytes")
    }
    guard let line = buffer.readSlice(length: length) else { return .needMoreData }
    buffer.moveReaderIndex(forwardBy: 1)
    context.fireChannelRead(Self.wrapInboundOut(line))
    return .continue
  }

  mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool)
    throws -> DecodingState
  {
    // A last line without its newline is dropped: the peer went away mid-frame.
    while try decode(context: context, buffer: &buffer) == .continue {}
    buffer.clear()
    return .needMoreData
  }
}
