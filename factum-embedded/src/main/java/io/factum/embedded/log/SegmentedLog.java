package io.factum.embedded.log;

import io.factum.api.StorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The append-only log: fixed-size segment files addressed by a <em>logical offset</em> ({@code
 * segment index << segmentBits | offset in segment}). A batch never spans two segments.
 *
 * <p>Each segment file is created at its full size (sparse), so it can be memory-mapped once,
 * read-only, for the readers. Only the writer thread writes, through positional {@code write} calls
 * followed by {@code force}. Readers never touch a {@link FileChannel}: an interrupt on a reader
 * thread would close the channel for everyone.
 *
 * <p>Writing into a hole makes the next {@code fdatasync} also commit the block allocation, a fixed
 * cost of a couple of hundred microseconds that dominates small syncs. {@link #zeroAhead} lets the
 * writer fill the space ahead of it with zeros, so that one sync per chunk pays the allocation instead
 * of every sync. It must be the writer's own I/O: measured here, zeros written by a concurrent thread
 * made the writer's syncs nine times slower.
 */
public final class SegmentedLog implements AutoCloseable {

  /** Six digits or more: the millionth segment (64 GiB of log at the smallest segment size) has seven. */
  private static final Pattern NAME = Pattern.compile("segment-(\\d{6,9})\\.log");

  private final Path dir;
  private final int segmentBits;
  private final long segmentSize;
  private volatile Segment[] segments;

  private static final class Segment {
    final int index;
    final Path path;
    final FileChannel channel;
    final MappedByteBuffer map;

    Segment(int index, Path path, FileChannel channel, MappedByteBuffer map) {
      this.index = index;
      this.path = path;
      this.channel = channel;
      this.map = map;
    }
  }

  private SegmentedLog(Path dir, int segmentBits, Segment[] segments) {
    this.dir = dir;
    this.segmentBits = segmentBits;
    this.segmentSize = 1L << segmentBits;
    this.segments = segments;
  }

  /** Opens (or creates) the log in {@code dir}; segments must be numbered 0..n-1 without gaps. */
  public static SegmentedLog open(Path dir, int segmentBits) throws IOException {
    Files.createDirectories(dir);
    return open(dir, segmentBits, false);
  }

  /**
   * Opens an existing log only to read it, changing nothing: segments are mapped as long as they are
   * (a shorter file, such as a backup's last segment, simply ends sooner). Not for writing.
   */
  public static SegmentedLog openReadOnly(Path dir, int segmentBits) throws IOException {
    return open(dir, segmentBits, true);
  }

  private static SegmentedLog open(Path dir, int segmentBits, boolean readOnly) throws IOException {
    List<Integer> indexes = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        int index = indexOf(p.getFileName().toString());
        if (index >= 0) {
          indexes.add(index);
        }
      }
    }
    indexes.sort(null);
    for (int k = 0; k < indexes.size(); k++) {
      if (indexes.get(k) != k) {
        throw new StorageException("Log segment " + segmentName(k) + " is missing in " + dir
            + "; the log is incomplete. Restore the store from a backup.");
      }
    }
    SegmentedLog log = new SegmentedLog(dir, segmentBits, new Segment[0]);
    Segment[] opened = new Segment[indexes.size()];
    int k = 0;
    try {
      for (; k < opened.length; k++) {
        opened[k] = readOnly ? log.openSegmentReadOnly(k) : log.openSegment(k, false);
      }
    } catch (IOException | RuntimeException e) {
      log.segments = Arrays.copyOf(opened, k); // close the ones already open
      log.close();
      throw e;
    }
    log.segments = opened;
    return log;
  }

  private Segment openSegmentReadOnly(int index) throws IOException {
    Path path = dir.resolve(segmentName(index));
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      if (channel.size() > segmentSize) {
        throw new StorageException("Log segment " + path + " is " + channel.size() + " bytes, larger than the store's segment size "
            + segmentSize + "; the store directory is damaged");
      }
      MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
      map.order(ByteOrder.LITTLE_ENDIAN);
      return new Segment(index, path, channel, map);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The index of the segment file named {@code fileName}, or -1 if it is not a segment's name. */
  static int indexOf(String fileName) {
    Matcher m = NAME.matcher(fileName);
    return m.matches() ? Integer.parseInt(m.group(1)) : -1;
  }

  static String segmentName(int index) {
    return String.format("segment-%06d.log", index);
  }

  private Segment openSegment(int index, boolean create) throws IOException {
    Path path = dir.resolve(segmentName(index));
    FileChannel channel = create
        ? FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
        : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      if (channel.size() < segmentSize) {
        // Sparse: costs no disk until written, and lets one read-only mapping cover the whole segment.
        channel.write(ByteBuffer.allocate(1), segmentSize - 1);
      } else if (channel.size() > segmentSize) {
        throw new StorageException("Log segment " + path + " is " + channel.size() + " bytes, larger than the store's segment size "
            + segmentSize + "; the store directory is damaged");
      }
      MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, 0, segmentSize);
      map.order(ByteOrder.LITTLE_ENDIAN);
      return new Segment(index, path, channel, map);
    } catch (IOException | RuntimeException e) {
      channel.close();
      if (create) {
        deleteHalfMade(path, e);
      }
      throw e;
    }
  }

  /**
   * Removes a segment file whose creation failed (its last byte could not be written on a full disk,
   * say): left in place, every later attempt would fail on it, even once space returns.
   */
  private static void deleteHalfMade(Path path, Exception failure) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * Where written data ends in [{@code from}, {@code to}) of a mapped segment: the end of the last
   * non-zero 8-byte word, or {@code from} if there is none.
   */
  public static int endOfData(ByteBuffer segment, int from, int to) {
    for (int at = (to - 8) & ~7; at >= from; at -= 8) {
      if (segment.getLong(at) != 0) {
        return at + 8;
      }
    }
    return from;
  }

  public long segmentSize() {
    return segmentSize;
  }

  public int segmentBits() {
    return segmentBits;
  }

  public int segmentCount() {
    return segments.length;
  }

  public int segmentOf(long logicalOffset) {
    return (int) (logicalOffset >>> segmentBits);
  }

  public int localOffset(long logicalOffset) {
    return (int) (logicalOffset & (segmentSize - 1));
  }

  public long logicalOffset(int segment, int local) {
    return ((long) segment << segmentBits) + local;
  }

  public Path pathOf(int segment) {
    return segments[segment].path;
  }

  /** A read-only, little-endian view of a segment, safe to share between threads (absolute reads only). */
  public ByteBuffer segment(int index) {
    Segment[] s = segments;
    if (index >= s.length) {
      throw new StorageException("Log segment " + index + " does not exist (the log has " + s.length + ")");
    }
    return s[index].map;
  }

  /** Makes sure segment {@code index} exists, creating it (and syncing the directory entry) if needed. */
  public void ensureSegment(int index) throws IOException {
    Segment[] s = segments;
    if (index < s.length) {
      return;
    }
    if (index != s.length) {
      throw new IllegalStateException("segments must be created in order");
    }
    Segment created = openSegment(index, true);
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true); // the new file's directory entry must be durable before any data in it is acknowledged
    } catch (IOException | RuntimeException e) {
      created.channel.close();
      deleteHalfMade(created.path, e);
      throw e;
    }
    Segment[] grown = Arrays.copyOf(s, s.length + 1);
    grown[index] = created;
    segments = grown;
  }

  /**
   * Writes {@code bytes} (position to limit) at a logical offset; they must fit in one segment. If it
   * fails, the position of {@code bytes} says how many were written.
   */
  public void write(long logicalOffset, ByteBuffer bytes) throws IOException {
    int index = segmentOf(logicalOffset);
    if (localOffset(logicalOffset) + (long) bytes.remaining() > segmentSize) {
      throw new IllegalArgumentException("a write must not cross a segment boundary");
    }
    FileChannel channel = segments[index].channel;
    long at = localOffset(logicalOffset);
    while (bytes.hasRemaining()) {
      at += channel.write(bytes, at);
    }
  }

  /**
   * Writes zeros over {@code length} bytes from a logical offset (clipped to its segment), without
   * syncing: the writer's next sync carries them. Used to allocate blocks ahead of the writer.
   *
   * @return the logical offset where the zeros end
   */
  public long zeroAhead(long logicalOffset, int length) throws IOException {
    int index = segmentOf(logicalOffset);
    if (index >= segments.length) {
      return logicalOffset; // a group filled the last segment exactly: the next one does not exist yet
    }
    long at = localOffset(logicalOffset);
    long end = Math.min(segmentSize, at + length);
    if (zeros == null) {
      zeros = ByteBuffer.allocateDirect(1 << 20);
    }
    FileChannel channel = segments[index].channel;
    while (at < end) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), end - at));
      at += channel.write(zeros, at);
    }
    return logicalOffset(index, (int) end);
  }

  private ByteBuffer zeros;

  /** Makes everything written to segment {@code index} durable (fdatasync). */
  public void force(int index) throws IOException {
    segments[index].channel.force(false);
  }

  /**
   * Overwrites {@code length} bytes from a logical offset (clipped to its segment) with zeros, from
   * the end backwards, and syncs: erases a torn or unacknowledged tail. Backwards, so that a process
   * killed meanwhile leaves data followed by zeros, never zeros followed by data.
   */
  public void zero(long logicalOffset, long length) throws IOException {
    int index = segmentOf(logicalOffset);
    long start = localOffset(logicalOffset);
    long end = Math.min(segmentSize, start + length);
    ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 16);
    FileChannel channel = segments[index].channel;
    while (end > start) {
      long from = Math.max(start, end - zeros.capacity());
      zeros.clear().limit((int) (end - from));
      long at = from;
      while (zeros.hasRemaining()) {
        at += channel.write(zeros, at);
      }
      end = from;
    }
    channel.force(false);
  }

  @Override
  public void close() {
    for (Segment s : segments) {
      try {
        s.channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
