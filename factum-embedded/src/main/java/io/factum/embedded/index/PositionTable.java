package io.factum.embedded.index;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The dense table of global positions: for position {@code p}, the logical log offset of its event
 * and the 32-bit hashes of its stream category and event type. 16 bytes per event, in fixed-size
 * memory-mapped files.
 *
 * <p>It turns {@code readAll} into array lookups, and lets category and event-type filters skip
 * non-matching events by comparing hashes without touching the log (a hash match is then checked on
 * the event itself). Written by the writer thread only; entries up to the published head are
 * immutable and may be read by any thread.
 */
public final class PositionTable {

  static final int ENTRY_BYTES = 16;
  private static final Pattern NAME = Pattern.compile("positions-(\\d{6})\\.pos");

  private final Path dir;
  private final int entriesBits;
  private final long entriesPerFile;
  private volatile MappedByteBuffer[] files;

  private PositionTable(Path dir, int entriesBits, MappedByteBuffer[] files) {
    this.dir = dir;
    this.entriesBits = entriesBits;
    this.entriesPerFile = 1L << entriesBits;
    this.files = files;
  }

  /** Opens the table's files in {@code dir} ({@code fresh}: delete them and start empty). */
  public static PositionTable open(Path dir, int entriesBits, boolean fresh) throws IOException {
    Files.createDirectories(dir);
    int count = 0;
    try (Stream<Path> list = Files.list(dir)) {
      for (Path p : (Iterable<Path>) list::iterator) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (m.matches()) {
          if (fresh) {
            Files.delete(p);
          } else {
            count = Math.max(count, Integer.parseInt(m.group(1)) + 1);
          }
        }
      }
    }
    long size = (1L << entriesBits) * ENTRY_BYTES;
    MappedByteBuffer[] files = new MappedByteBuffer[count];
    for (int k = 0; k < count; k++) {
      files[k] = MappedFiles.open(dir.resolve(name(k)), size); // a missing file fails the open: the index is rebuilt
    }
    return new PositionTable(dir, entriesBits, files);
  }

  private static String name(int file) {
    return String.format("positions-%06d.pos", file);
  }

  /** Makes sure entries up to {@code lastPosition} have a file, creating (and allocating) files as needed. */
  public void reserve(long lastPosition) throws IOException {
    int needed = (int) ((lastPosition - 1) >>> entriesBits) + 1;
    MappedByteBuffer[] current = files;
    if (needed <= current.length) {
      return;
    }
    MappedByteBuffer[] grown = Arrays.copyOf(current, needed);
    for (int k = current.length; k < needed; k++) {
      grown[k] = MappedFiles.create(dir.resolve(name(k)), entriesPerFile * ENTRY_BYTES);
    }
    files = grown;
  }

  public void put(long position, long logicalOffset, int categoryHash, int typeHash) {
    long index = position - 1;
    MappedByteBuffer file = files[(int) (index >>> entriesBits)];
    int at = (int) ((index & (entriesPerFile - 1)) * ENTRY_BYTES);
    file.putLong(at, logicalOffset);
    file.putInt(at + 8, categoryHash);
    file.putInt(at + 12, typeHash);
  }

  public long offset(long position) {
    long index = position - 1;
    return files[(int) (index >>> entriesBits)].getLong((int) ((index & (entriesPerFile - 1)) * ENTRY_BYTES));
  }

  public int categoryHash(long position) {
    long index = position - 1;
    return files[(int) (index >>> entriesBits)].getInt((int) ((index & (entriesPerFile - 1)) * ENTRY_BYTES) + 8);
  }

  public int typeHash(long position) {
    long index = position - 1;
    return files[(int) (index >>> entriesBits)].getInt((int) ((index & (entriesPerFile - 1)) * ENTRY_BYTES) + 12);
  }

  /** Writes the mapped pages to disk. */
  public void force() {
    for (MappedByteBuffer f : files) {
      f.force();
    }
  }
}
