/// The state of one chunk of an upload, as a gauge segment shows it.
public enum SegmentState: Sendable, Hashable {
  /// Not sent yet.
  case pending
  /// Being sent; `fraction` (0…1) of its bytes are on the wire.
  case sending(fraction: Double)
  /// The server acknowledged every byte.
  case acknowledged
  /// Waiting to be sent again after a failure.
  case retrying
}

/// A one-row bar with one segment per upload chunk.
///
/// Each segment gets an equal share of the columns. A chunk being sent fills its own share with
/// eighth blocks (`▏▎▍▌▋▊▉█`), so movement shows at 1/8-cell steps; in ASCII it fills whole
/// cells with `=`. When there are more chunks than columns, each column sums the chunks it
/// covers: retrying wins, then the acknowledged-or-sent fraction.
public struct SegmentedGauge: Sendable, Hashable {
  public var segments: [SegmentState]

  /// A gauge of `segments`, left to right.
  public init(segments: [SegmentState]) {
    self.segments = segments
  }

  /// The segments of an upload of `size` bytes in chunks of `chunkSize`.
  ///
  /// Chunks wholly below `acknowledged` are acknowledged. The chunk at `acknowledged` is
  /// retrying when `retrying` is set, else sending with the part of it below `sent`.
  /// A 0-byte file is one segment, acknowledged only once `completed`.
  public static func segments(
    size: Int64, chunkSize: Int64, acknowledged: Int64, sent: Int64, retrying: Bool = false,
    completed: Bool = false
  ) -> [SegmentState] {
    guard size > 0, chunkSize > 0 else {
      return [completed ? .acknowledged : (retrying ? .retrying : .pending)]
    }
    let count = Int((size + chunkSize - 1) / chunkSize)
    var result: [SegmentState] = []
    result.reserveCapacity(count)
    for index in 0..<count {
      let start = Int64(index) * chunkSize
      let end = min(start + chunkSize, size)
      if end <= acknowledged {
        result.append(.acknowledged)
      } else if start <= acknowledged && acknowledged < end && retrying {
        result.append(.retrying)
      } else if sent > start {
        let fraction = Double(min(sent, end) - start) / Double(end - start)
        result.append(.sending(fraction: fraction))
      } else {
        result.append(.pending)
      }
    }
    return result
  }

  /// Paints the gauge into the first row of `area`.
  public func render(into buffer: inout Buffer, area: Rect) {
    guard !area.isEmpty, !segments.isEmpty else { return }
    let width = area.width
    let count = segments.count
    let glyphs = buffer.glyphs
    if count <= width {
      for index in 0..<count {
        let first = index * width / count
        let last = (index + 1) * width / count
        draw(segments[index], columns: first..<last, buffer: &buffer, area: area, glyphs: glyphs)
      }
    } else {
      for column in 0..<width {
        let covered = segments[(column * count / width)..<((column + 1) * count / width)]
        draw(
          Self.merge(covered), columns: column..<(column + 1), buffer: &buffer, area: area,
          glyphs: glyphs)
      }
    }
  }

  /// One state standing for several chunks drawn in one column.
  static func merge(_ states: ArraySlice<SegmentState>) -> SegmentState {
    var total = 0.0
    var anyProgress = false
    for state in states {
      switch state {
      case .retrying: return .retrying
      case .acknowledged: total += 1
      case .sending(let fraction):
        total += fraction
        anyProgress = true
      case .pending: break
      }
    }
    if total >= Double(states.count) && !anyProgress { return .acknowledged }
    if total == 0 && !anyProgress { return .pending }
    return .sending(fraction: total / Double(states.count))
  }

  private func draw(
    _ state: SegmentState, columns: Range<Int>, buffer: inout Buffer, area: Rect, glyphs: GlyphSet
  ) {
    let y = area.y
    let cells = columns.count
    func put(_ glyph: String, _ offset: Int, _ style: Style) {
      buffer.write(glyph, x: area.x + columns.lowerBound + offset, y: y, style: style)
    }
    switch state {
    case .acknowledged:
      for offset in 0..<cells { put(glyphs.gaugeFull, offset, .barAcked) }
    case .pending:
      for offset in 0..<cells { put(glyphs.gaugePending, offset, .barPending) }
    case .retrying:
      for offset in 0..<cells { put(glyphs.gaugeRetrying, offset, .barRetrying) }
    case .sending(let fraction):
      let clamped = min(max(fraction, 0), 1)
      if glyphs.gaugeEighths.isEmpty {
        let filled = Int((clamped * Double(cells)).rounded())
        for offset in 0..<cells {
          if offset < filled {
            put(glyphs.gaugeSending, offset, .barSending)
          } else {
            put(glyphs.gaugePending, offset, .barPending)
          }
        }
      } else {
        let eighths = Int((clamped * Double(cells * 8)).rounded())
        let full = eighths / 8
        let partial = eighths % 8
        for offset in 0..<cells {
          if offset < full {
            put(glyphs.gaugeSending, offset, .barSending)
          } else if offset == full && partial > 0 {
            put(glyphs.gaugeEighths[partial - 1], offset, .barSending)
          } else {
            put(glyphs.gaugePending, offset, .barPending)
          }
        }
      }
    }
  }
}
