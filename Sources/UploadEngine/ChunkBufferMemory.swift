#if canImport(Glibc)
  import Glibc
#endif

/// Where glibc takes the 4 MB chunk buffers from.
///
/// glibc raises its mmap threshold to the size of any mapped block that is freed, so after the
/// first chunk every later 4 MB buffer came from the heap, and the heap kept them: a 25 MB upload
/// peaked 4–6 MB higher (DECISIONS.md, "Chunk buffers are mapped"). A fixed threshold keeps every
/// buffer of 256 KiB and more mapped, and unmapped as soon as it is freed.
enum ChunkBufferMemory {
  static let threshold: Int32 = 256 * 1024
  /// `M_MMAP_THRESHOLD` from `<malloc.h>`, which the Glibc module does not export.
  private static let mmapThresholdParameter: Int32 = -3

  /// Fixes the threshold once per process (the first coordinator does it).
  static let applied: Bool = {
    #if canImport(Glibc)
      typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
      guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else {
        return false
      }
      let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
      return mallopt(mmapThresholdParameter, threshold) == 1
    #else
      return false
    #endif
  }()
}
