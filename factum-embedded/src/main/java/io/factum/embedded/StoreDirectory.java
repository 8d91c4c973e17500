package io.factum.embedded;

import io.factum.api.StorageException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The layout of a store directory and its two guards: an exclusive lock (one process per store) and
 * {@code store.properties}, which records the format and the geometry fixed at creation.
 *
 * <pre>
 * dir/LOCK              held while open; names the owning process
 * dir/store.properties  format version, segment size
 * dir/log/              segment-000000.log, …   the events (the only source of truth)
 * dir/index/            checkpoint, positions-*.pos, hash-*.idx   derived, rebuildable
 * dir/checkpoints.bin   named subscription positions
 * dir/snapshots/        the latest snapshot of each stream
 * </pre>
 */
final class StoreDirectory implements AutoCloseable {

  /**
   * 2: batch headers record the synced end of the log (format-1 batches are still read; a format-1
   * store is marked format 2 once opened, see {@link #markCurrentFormat}).
   */
  static final int FORMAT = 2;

  final Path root;
  final Path log;
  final Path index;
  final Path checkpoint;
  final int segmentSizeBits;
  private final Path key;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private StoreDirectory(Path root, Path key, int segmentSizeBits, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.key = key;
    this.log = root.resolve("log");
    this.index = root.resolve("index");
    this.checkpoint = index.resolve("checkpoint");
    this.segmentSizeBits = segmentSizeBits;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Store directories open in this process. Checked before the lock file is touched: on Linux, closing
   * any channel on a file releases every lock this process holds on it, so a second open (or a
   * verification) of a directory this process already has open must never open and close the file.
   */
  private static final Set<Path> OPEN_HERE = ConcurrentHashMap.newKeySet();

  private static Path claim(Path root) {
    Path key;
    try {
      key = root.toRealPath();
    } catch (IOException e) {
      throw new StorageException("Cannot open the store directory " + root + ": " + e.getMessage(), e);
    }
    if (!OPEN_HERE.add(key)) {
      throw new StorageException("The store in " + root + " is already open in this process (pid " + ProcessHandle.current().pid()
          + "). A store can be open in one place at a time: close the other one, or use another directory.");
    }
    return key;
  }

  /** A lock held while a closed store is read; closing releases it. */
  interface ReadingLock extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Keeps a store from being opened while it is read, without changing anything in it: a shared lock
   * on {@code LOCK} (refused while the store is open anywhere). Closing releases it.
   */
  static ReadingLock lockForReading(Path root) {
    Path key = claim(root);
    Path lockFile = root.resolve("LOCK");
    if (!Files.exists(lockFile)) {
      return () -> OPEN_HERE.remove(key); // never opened as a store: nobody to keep out but this process
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(lockFile, StandardOpenOption.READ);
      FileLock shared = channel.tryLock(0, Long.MAX_VALUE, true);
      if (shared == null) {
        String owner = readOwner(channel);
        throw new StorageException("The store in " + root + " is open" + owner + "; stop it first (or, from the program that has it"
            + " open, use EmbeddedEventStore.backup).");
      }
      FileChannel held = channel;
      return () -> {
        closeQuietly(held);
        OPEN_HERE.remove(key);
      };
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        closeQuietly(channel);
      }
      OPEN_HERE.remove(key);
      if (e instanceof StorageException) {
        throw (StorageException) e;
      }
      throw new StorageException("Cannot lock " + root + ": " + e.getMessage(), e);
    }
  }

  /** Locks and opens (or initialises) the store directory. */
  static StoreDirectory open(Path root, int segmentSizeBitsIfNew) {
    try {
      DurableFiles.createDirectories(root);
      refuseForeignDirectory(root);
    } catch (IOException e) {
      throw new StorageException("Cannot create the store directory " + root + ": " + e.getMessage(), e);
    }
    Path key = claim(root);
    try {
      return open(root, key, segmentSizeBitsIfNew);
    } catch (RuntimeException e) {
      OPEN_HERE.remove(key);
      throw e;
    }
  }

  private static StoreDirectory open(Path root, Path key, int segmentSizeBitsIfNew) {
    FileChannel channel;
    FileLock lock;
    try {
      channel = FileChannel.open(root.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new StorageException("Cannot open " + root.resolve("LOCK") + ": " + e.getMessage(), e);
    }
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new StorageException("Cannot lock " + root + ": " + e.getMessage(), e);
    }
    if (lock == null) {
      String owner = readOwner(channel);
      closeQuietly(channel);
      throw new StorageException("The store in " + root + " is already open" + owner
          + ". A store can be open in one place at a time: close the other one, or use another directory.");
    }
    try {
      byte[] me = ("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(me), 0);
      int bits = readOrCreateProperties(root, segmentSizeBitsIfNew);
      if (!Files.isDirectory(root.resolve("log"))) {
        // a new store's log directory is made durable before its store.properties: this is lost data
        throw new StorageException("The store in " + root + " has no log directory; the store is damaged (its events are gone)."
            + " Restore it from a backup.");
      }
      return new StoreDirectory(root, key, bits, channel, lock);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      if (e instanceof StorageException) {
        throw (StorageException) e;
      }
      throw new StorageException("Cannot open the store in " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * A new store is made only in a new or empty directory: pointed at a directory of other files by
   * mistake ({@code --data ~/Documents}), Factum must not fill it with its own. What a store's creation
   * interrupted before {@code store.properties} existed (its lock file, a temporary properties file)
   * does not count.
   */
  private static void refuseForeignDirectory(Path root) throws IOException {
    if (Files.exists(root.resolve("store.properties"))) {
      return;
    }
    try (java.util.stream.Stream<Path> entries = Files.list(root)) {
      List<String> foreign = entries.filter(e -> !leftByAnInterruptedCreation(e)).map(e -> e.getFileName().toString())
          .sorted().limit(3).toList();
      if (!foreign.isEmpty()) {
        throw new StorageException(root.toAbsolutePath() + " is not a Factum store (no store.properties) and is not empty (it holds "
            + String.join(", ", foreign) + (foreign.size() == 3 ? ", …" : "") + "); give a new or empty directory for a new store,"
            + " or the directory of an existing one");
      }
    }
  }

  /**
   * What creating a store makes before {@code store.properties} (its last step): the lock file, the
   * temporary properties file and the still empty {@code log/} and {@code index/}. Found without
   * {@code store.properties}, they are an interrupted creation, which the next open finishes.
   */
  private static boolean leftByAnInterruptedCreation(Path entry) {
    String name = entry.getFileName().toString();
    if (name.equals("LOCK") || name.equals("store.properties.tmp")) {
      return true;
    }
    return (name.equals("log") || name.equals("index")) && isEmptyDirectory(entry);
  }

  private static boolean isEmptyDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  private static String readOwner(FileChannel channel) {
    try {
      ByteBuffer b = ByteBuffer.allocate(64);
      channel.read(b, 0);
      String text = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim();
      return text.isEmpty() ? "" : " (by " + text + ")";
    } catch (IOException e) {
      return "";
    }
  }

  private static int readOrCreateProperties(Path root, int segmentSizeBits) throws IOException {
    Path file = root.resolve("store.properties");
    if (Files.exists(file)) {
      Properties p = readProperties(file);
      int format = formatOf(p);
      if (format > FORMAT) {
        throw new StorageException("The store in " + root + " was written by a newer Factum (format " + format
            + ", this version reads up to " + FORMAT + "); upgrade Factum to open it.");
      }
      String damage = damageOf(file, p);
      if (damage != null) {
        throw new StorageException(damage);
      }
      return Integer.parseInt(p.getProperty("segmentSizeBits").trim());
    }
    if (Files.exists(root.resolve("log")) && !isEmptyDirectory(root.resolve("log"))) {
      throw new StorageException(root + " has a log but no store.properties; it is damaged or not a Factum store.");
    }
    DurableFiles.createDirectories(root.resolve("index"));
    DurableFiles.createDirectories(root.resolve("log")); // last: a log directory without store.properties is refused above
    writeProperties(root, segmentSizeBits);
    return segmentSizeBits;
  }

  /**
   * What makes an existing {@code store.properties} unreadable as a store's (the store is damaged,
   * not foreign or newer), or {@code null} when it is sound, absent or of a newer format.
   */
  static String damagedProperties(Path root) {
    Path file = root.resolve("store.properties");
    try {
      if (!Files.exists(file)) {
        return null;
      }
      Properties p = readProperties(file);
      return formatOf(p) > FORMAT ? null : damageOf(file, p);
    } catch (IOException e) {
      return null; // unreadable: reported as it is by whoever read it first
    }
  }

  private static Properties readProperties(Path file) throws IOException {
    Properties p = new Properties();
    p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
    return p;
  }

  private static int formatOf(Properties p) {
    try {
      return Integer.parseInt(p.getProperty("format", "0").trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String damageOf(Path file, Properties p) {
    if (formatOf(p) < 1) {
      return file + " is damaged (no format); it should name format=" + FORMAT;
    }
    String bits = p.getProperty("segmentSizeBits", "").trim();
    if (!bits.matches("[0-9]{1,2}") || Integer.parseInt(bits) < 16 || Integer.parseInt(bits) > 30) {
      return file + " is damaged (segmentSizeBits is '" + bits + "', expected 16 to 30);"
          + " restore it from a backup or write the value the store was created with";
    }
    return null;
  }

  /**
   * Marks the store as of this {@link #FORMAT}, once recovery has succeeded and before anything of the
   * new format is written: an older Factum then refuses the store instead of misreading it.
   */
  void markCurrentFormat() throws IOException {
    if (formatOf(readProperties(root.resolve("store.properties"))) < FORMAT) {
      writeProperties(root, segmentSizeBits);
    }
  }

  /**
   * The segment size of the existing store in {@code root}, read without opening or changing it.
   *
   * @throws StorageException if {@code root} is not a store, or is of a newer format
   */
  static int segmentSizeBitsOf(Path root) {
    Path file = root.resolve("store.properties");
    if (!Files.exists(file)) {
      throw new StorageException(root + " is not a Factum store (no store.properties)");
    }
    try {
      return readOrCreateProperties(root, 0);
    } catch (IOException e) {
      throw new StorageException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes {@code store.properties} for this format atomically and durably. */
  static void writeProperties(Path root, int segmentSizeBits) throws IOException {
    Properties p = new Properties();
    p.setProperty("format", Integer.toString(FORMAT));
    p.setProperty("segmentSizeBits", Integer.toString(segmentSizeBits));
    StringWriter text = new StringWriter();
    p.store(text, "Factum embedded store; do not edit");
    DurableFiles.replace(root.resolve("store.properties"), text.toString().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      // closing the channel releases it anyway
    }
    closeQuietly(lockChannel);
    OPEN_HERE.remove(key);
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing left to do
    }
  }
}
