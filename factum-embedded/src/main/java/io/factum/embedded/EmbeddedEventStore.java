package io.factum.embedded;

import io.factum.api.AppendRequest;
import io.factum.api.AppendResult;
import io.factum.api.CheckpointStore;
import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.EventHandler;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadArguments;
import io.factum.api.RecordedEvent;
import io.factum.api.SnapshotStore;
import io.factum.api.StorageException;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreLimits;
import io.factum.api.Subscription;
import io.factum.core.AnsweringThreads;
import io.factum.core.Uninterruptibly;
import io.factum.core.AppendAnswers;
import io.factum.core.WriterGate;
import io.factum.core.subscription.AllPage;
import io.factum.core.subscription.SubscriptionEngine;
import io.factum.embedded.index.Hashing;
import io.factum.embedded.log.BatchEncoder;
import io.factum.embedded.log.BatchFormat;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Factum's durable, single-node event store in a directory: no server, no set-up.
 *
 * <pre>{@code
 * try (EventStore store = EmbeddedEventStore.open(Path.of("data"))) { ... }
 * }</pre>
 *
 * <p><b>Durability.</b> An append returns only after its events are on disk ({@code fdatasync});
 * concurrent appends share one sync (group commit). After {@code kill -9} or a power cut, reopening
 * finds every acknowledged event, and no torn or partial one.
 *
 * <p><b>Memory.</b> Bounded however large the store: events live in the log, and reads, filters,
 * idempotency checks and versions go through persistent indexes derived from it (see
 * {@code docs/storage.md}).
 *
 * <p>One process at a time may open a directory (a file lock enforces it). Thread-safe.
 */
public final class EmbeddedEventStore implements EventStore {

  private static final System.Logger LOG = System.getLogger(EmbeddedEventStore.class.getName());
  /** A subscription page reads at most this many positions, so one read stays short under a sparse filter. */
  private static final int SCAN_BUDGET = 65_536;

  private final StoreDirectory dir;
  private final EmbeddedOptions options;
  private final IndexedLog indexed;
  private final GroupCommitWriter writer;
  private final Thread writerThread;
  private final SubscriptionEngine subscriptions;
  private final ScheduledExecutorService checkpointer;
  private final WriterGate gate = new WriterGate();
  private final Object checkpointLock = new Object();
  private final int maxGroupBytes;
  /** Each appending thread encodes its own events (see {@link BatchEncoder}). */
  private final ThreadLocal<BatchEncoder> encoders = ThreadLocal.withInitial(BatchEncoder::new);
  private volatile GroupCommitWriter.Published published;
  private volatile GroupCommitWriter.Published checkpointed;
  private volatile long lastCheckpointNanos = System.nanoTime();
  private final FileCheckpointStore checkpoints;
  private final FileSnapshotStore snapshots;

  private EmbeddedEventStore(StoreDirectory dir, EmbeddedOptions options, Recovery.Result recovered) throws IOException {
    this.dir = dir;
    this.checkpoints = new FileCheckpointStore(dir.root.resolve("checkpoints.bin"), this::ensureOpen);
    this.snapshots = new FileSnapshotStore(dir.root.resolve("snapshots"), this::ensureOpen);
    this.options = options;
    this.indexed = recovered.indexed();
    this.published = recovered.state();
    this.checkpointed = recovered.state();
    String name = "embedded-" + dir.root.getFileName();
    this.subscriptions = new SubscriptionEngine(name, options.subscriptions());
    this.maxGroupBytes = maxGroupBytes(dir.segmentSizeBits);
    this.writer = new GroupCommitWriter(this, "factum-" + name, indexed, new StreamCache(options.streamCacheSize()), recovered.state(), maxGroupBytes,
        this::onPublished);
    this.writerThread = new Thread(AnsweringThreads.marking(this, writer), "factum-" + name + "-writer");
    writerThread.setDaemon(true);
    writerThread.start();
    this.checkpointer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "factum-" + name + "-checkpoint");
      t.setDaemon(true);
      return t;
    });
    long tick = Math.min(1000, options.checkpointInterval().toMillis());
    checkpointer.scheduleWithFixedDelay(this::checkpointIfDue, tick, tick, TimeUnit.MILLISECONDS);
  }

  /** Opens the store in {@code dir}, creating it if needed, with the default options. */
  public static EmbeddedEventStore open(Path dir) {
    return open(dir, EmbeddedOptions.DEFAULT);
  }

  /**
   * Opens the store in {@code dir}, creating it if needed. Recovers from a crash if the last run did
   * not close cleanly: replays the log after the last index checkpoint and erases a torn tail.
   *
   * @throws StorageException if the directory is open elsewhere, damaged, or from a newer Factum
   */
  public static EmbeddedEventStore open(Path dir, EmbeddedOptions options) {
    StoreDirectory directory = StoreDirectory.open(dir, options.segmentSizeBits());
    Recovery.Result recovered = null;
    try {
      recovered = Recovery.open(directory, maxGroupBytes(directory.segmentSizeBits));
      directory.markCurrentFormat();
      return new EmbeddedEventStore(directory, options, recovered);
    } catch (IOException | RuntimeException e) {
      if (recovered != null) {
        recovered.indexed().log.close();
      }
      directory.close();
      if (e instanceof RuntimeException) {
        throw (RuntimeException) e;
      }
      throw new StorageException("Cannot open the store in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Checks a closed store without changing anything in it: every record's checksum, positions dense
   * from 1, every stream's versions following on, what follows the log's end (judged as on open), and
   * that the named checkpoints are readable. Reads the whole log, so it takes about as long as reading
   * the store, and keeps a map of every stream's version; {@code progress} hears once per segment.
   *
   * @throws StorageException if {@code dir} is not a store, or is open
   */
  public static StoreVerification verify(Path dir, java.util.function.Consumer<String> progress) {
    return LogVerifier.verify(dir, progress);
  }

  /**
   * Copies this store, while it runs, into {@code target} (a new or empty directory): every event
   * acknowledged before the call, the named checkpoints and the snapshots. Appends go on meanwhile;
   * those acknowledged after the call began may be missing from the copy. The copy is a store of its
   * own, marked complete only at the end; its indexes are rebuilt when it is first opened.
   * {@code progress} hears once per log segment.
   *
   * @return the head position of the copy
   * @throws StorageException if {@code target} is not empty, or on an I/O error (the copy is then
   *     incomplete and not a store)
   */
  public long backup(Path target, java.util.function.Consumer<String> progress) {
    java.util.Objects.requireNonNull(progress, "progress");
    ensureOpen();
    try {
      return Backup.copyRunning(dir, indexed.log, () -> published, target, progress).head();
    } catch (IOException e) {
      throw backupFailed(target, e);
    }
  }

  /**
   * Copies the store in {@code storeDir}, which must not be open anywhere, into {@code target} (a new
   * or empty directory), changing nothing in it: its log as it is (a torn tail is then recovered by the
   * copy, as by the original), named checkpoints and snapshots. The copy rebuilds its indexes when
   * first opened. {@code progress} hears once per log segment.
   *
   * @throws StorageException if {@code storeDir} is not a store or is open, {@code target} is not
   *     empty, or on an I/O error (the copy is then incomplete and not a store)
   */
  public static void backup(Path storeDir, Path target, java.util.function.Consumer<String> progress) {
    java.util.Objects.requireNonNull(progress, "progress");
    try {
      Backup.copyClosed(storeDir, target, progress);
    } catch (IOException e) {
      throw backupFailed(target, e);
    }
  }

  private static StorageException backupFailed(Path target, IOException e) {
    return new StorageException("The backup into " + target + " failed: " + e.getMessage()
        + ". The copy is incomplete (it has no store.properties): delete " + target + " and retry.", e);
  }

  /** The largest write of one group (and so of one append): half a segment, at most 64 MiB. */
  static int maxGroupBytes(int segmentSizeBits) {
    return (int) Math.min(1L << (segmentSizeBits - 1), 64L << 20);
  }

  private void onPublished(GroupCommitWriter.Published state, Set<String> streams) {
    published = state;
    if (streams.size() <= 32) {
      streams.forEach(subscriptions::onAppended);
    } else {
      subscriptions.onAppended(null);
    }
  }

  // ---------------------------------------------------------------- writes

  @Override
  public AppendResult append(String streamId, ExpectedVersion expected, List<EventData> events) {
    AnsweringThreads.refuseBlockingAppend(this);
    return AppendAnswers.await(submit(streamId, expected, events, true));
  }

  @Override
  public CompletableFuture<AppendResult> appendAsync(String streamId, ExpectedVersion expected, List<EventData> events) {
    return AppendAnswers.started(() -> submit(streamId, expected, events, false));
  }

  /** Validates and encodes on the caller's thread, then queues the append for the writer. */
  private CompletableFuture<AppendResult> submit(String streamId, ExpectedVersion expected, List<EventData> events, boolean callerWaits) {
    AppendRequest request = AppendRequest.validate(streamId, expected, events, options.limits());
    ensureOpen();
    GroupCommitWriter.Pending pending = new GroupCommitWriter.Pending(request, encoders.get(), maxGroupBytes, callerWaits);
    if (!gate.pass(() -> writer.submit(pending))) {
      ensureOpen(); // throws: the store was closed meanwhile
    }
    return pending.result;
  }

  /** Test hook: the log's next sync fails with {@code fault}, as on a failing disk (see the writer). */
  void failNextSync(IOException fault) {
    writer.failNextSync(fault);
  }

  /** Test hook: the log's syncs wait until {@code release} opens. */
  void holdSyncs(java.util.concurrent.CountDownLatch release) {
    writer.holdSyncs(release, null);
  }

  /** Test hook: as {@link #holdSyncs(java.util.concurrent.CountDownLatch)}, each held sync counting {@code waiting} down. */
  void holdSyncs(java.util.concurrent.CountDownLatch release, java.util.concurrent.CountDownLatch waiting) {
    writer.holdSyncs(release, waiting);
  }

  /** Test hook: the log's next write stops half-way with {@code fault}, as on a disk filling up. */
  void failNextWrite(Throwable fault) {
    writer.failNextWrite(fault);
  }

  /** Test hook: erasing the next failed write fails with {@code fault}. */
  void failNextErase(IOException fault) {
    writer.failNextErase(fault);
  }

  /** The writer's counters (groups, appends, events), for tests and the bench. */
  GroupCommitWriter.Stats writerStats() {
    return writer.stats;
  }

  // ---------------------------------------------------------------- reads

  @Override
  public List<RecordedEvent> readStream(String streamId, long fromVersion, int maxCount) {
    ReadArguments.checkStreamRead(streamId, fromVersion, maxCount);
    ensureOpen();
    long head = published.head();
    byte[] stream = streamId.getBytes(StandardCharsets.UTF_8);
    long streamHash = Hashing.hash64(stream);
    Cursor c = new Cursor();
    long position = indexed.positionOfVersion(stream, streamHash, fromVersion, head, c);
    List<RecordedEvent> out = new ArrayList<>(Math.min(maxCount, 256));
    while (position > 0 && out.size() < maxCount) {
      BatchFormat.Header h = indexed.header(position, c);
      for (long p = position; p <= h.lastPosition() && out.size() < maxCount; p++) {
        out.add(indexed.read(p, c));
      }
      if (out.size() < maxCount) {
        position = indexed.nextBatchOfStream(h, streamHash, head, c);
      }
    }
    return out;
  }

  @Override
  public List<RecordedEvent> readStreamBackward(String streamId, long fromVersion, int maxCount) {
    ReadArguments.checkStreamRead(streamId, fromVersion, maxCount);
    ensureOpen();
    long head = published.head();
    byte[] stream = streamId.getBytes(StandardCharsets.UTF_8);
    long streamHash = Hashing.hash64(stream);
    Cursor c = new Cursor();
    long last = indexed.streamHead(stream, streamHash, head, c);
    if (last < 0) {
      return List.of();
    }
    long lastVersion = indexed.header(last, c).lastVersion();
    long position = fromVersion >= lastVersion ? last : indexed.positionOfVersion(stream, streamHash, fromVersion, head, c);
    List<RecordedEvent> out = new ArrayList<>(Math.min(maxCount, 256));
    while (position > 0 && out.size() < maxCount) {
      BatchFormat.Header h = indexed.header(position, c);
      for (long p = position; p >= h.firstPosition() && out.size() < maxCount; p--) {
        out.add(indexed.read(p, c));
      }
      position = h.previousStreamPosition();
    }
    return out;
  }

  @Override
  public List<RecordedEvent> readAll(long afterPosition, int maxCount, EventFilter filter) {
    ReadArguments.checkAllRead(afterPosition, maxCount, filter);
    ensureOpen();
    return readAllPage(afterPosition, maxCount, filter, Long.MAX_VALUE).events();
  }

  /**
   * Reads matching events after a position, examining at most {@code scanBudget} positions. Category
   * and event-type filters compare the hashes in the position table first and decode only
   * candidates; a stream-prefix filter decides once per batch.
   */
  private AllPage readAllPage(long afterPosition, int maxCount, EventFilter filter, long scanBudget) {
    long head = published.head();
    Cursor c = new Cursor();
    List<RecordedEvent> out = new ArrayList<>(Math.min(maxCount, 512));
    if (afterPosition >= head) {
      return new AllPage(out, Math.max(afterPosition, head), true);
    }
    if (filter.isAll()) {
      long to = Math.min(head, afterPosition + maxCount);
      for (long p = afterPosition + 1; p <= to; p++) {
        out.add(indexed.read(p, c));
      }
      return new AllPage(out, to, to == head);
    }
    int[] categories = hashes(filter.categories());
    int[] types = hashes(filter.eventTypes());
    EventFilter streamFilter = filter.categories().isEmpty() && filter.streamPrefixes().isEmpty()
        ? null : new EventFilter(filter.categories(), Set.of(), filter.streamPrefixes());
    long limit = scanBudget == Long.MAX_VALUE ? head : Math.min(head, afterPosition + scanBudget);
    long p = afterPosition + 1;
    while (p <= limit) {
      if ((categories != null && !contains(categories, indexed.positions.categoryHash(p)))
          || (types != null && !contains(types, indexed.positions.typeHash(p)))) {
        p++;
        continue;
      }
      if (streamFilter != null) {
        BatchFormat.Header h = indexed.header(p, c);
        if (!streamFilter.matches(h.streamIdString(), "")) {
          p = h.lastPosition() + 1; // the whole batch is in a stream the filter rejects
          continue;
        }
      }
      RecordedEvent e = indexed.read(p, c);
      if (filter.matches(e)) {
        out.add(e);
        if (out.size() == maxCount) {
          return new AllPage(out, p, p == head);
        }
      }
      p++;
    }
    long scanned = Math.min(p - 1, limit);
    return new AllPage(out, scanned, scanned >= head);
  }

  private static int[] hashes(Set<String> values) {
    if (values.isEmpty()) {
      return null;
    }
    int[] out = new int[values.size()];
    int k = 0;
    for (String v : values) {
      byte[] b = v.getBytes(StandardCharsets.UTF_8);
      out[k++] = Hashing.hash32(b, 0, b.length);
    }
    return out;
  }

  private static boolean contains(int[] values, int v) {
    for (int x : values) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }

  @Override
  public OptionalLong streamVersion(String streamId) {
    ReadArguments.checkStreamId(streamId);
    ensureOpen();
    byte[] stream = streamId.getBytes(StandardCharsets.UTF_8);
    Cursor c = new Cursor();
    long last = indexed.streamHead(stream, Hashing.hash64(stream), published.head(), c);
    return last < 0 ? OptionalLong.empty() : OptionalLong.of(indexed.header(last, c).lastVersion());
  }

  @Override
  public long headPosition() {
    ensureOpen();
    return published.head();
  }

  @Override
  public Subscription subscribeToAll(long afterPosition, EventFilter filter, EventHandler handler) {
    ensureOpen();
    return subscriptions.subscribeToAll(this::subscriptionPage, afterPosition, filter, handler);
  }

  private AllPage subscriptionPage(long afterPosition, int maxCount, EventFilter filter) {
    ensureOpen();
    return readAllPage(afterPosition, maxCount, filter, SCAN_BUDGET);
  }

  @Override
  public Subscription subscribeToStream(String streamId, long fromVersion, EventHandler handler) {
    ensureOpen();
    return subscriptions.subscribeToStream(this::readStream, streamId, fromVersion, handler);
  }

  @Override
  public CheckpointStore checkpoints() {
    return checkpoints;
  }

  @Override
  public SnapshotStore snapshots() {
    return snapshots;
  }

  @Override
  public StoreLimits limits() {
    return options.limits();
  }

  // ---------------------------------------------------------------- checkpoints and close

  private void checkpointIfDue() {
    GroupCommitWriter.Published state = published;
    long sinceEvents = state.head() - checkpointed.head();
    long sinceNanos = System.nanoTime() - lastCheckpointNanos;
    if (sinceEvents <= 0
        || (sinceEvents < EmbeddedOptions.CHECKPOINT_EVERY_EVENTS && sinceNanos < options.checkpointInterval().toNanos())) {
      return;
    }
    try {
      checkpoint(false);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "Index checkpoint of " + dir.root + " failed; it will be retried (a crash now only means a longer replay)", e);
    }
  }

  private void checkpoint(boolean clean) throws IOException {
    synchronized (checkpointLock) {
      GroupCommitWriter.Published state = published;
      if (!clean && state.equals(checkpointed)) {
        return;
      }
      Recovery.writeCheckpoint(dir, indexed, state, clean);
      checkpointed = state;
      lastCheckpointNanos = System.nanoTime();
    }
  }

  /**
   * Closes the store: appends already submitted are completed, subscriptions stopped, the indexes
   * checkpointed (so the next open replays nothing) and the directory unlocked. Idempotent.
   */
  @Override
  public void close() {
    gate.close(this, "factum-close-" + dir.root.getFileName(), this::shutDown);
  }

  /** Everything after the gate closed: answers what was queued, stops the threads, checkpoints, releases files. */
  private void shutDown() {
    // An interrupt (a cancelled task, a shutdown hook) must not cut this short: the files may only be
    // closed and unlocked once the writer has answered every append handed to it. It is kept for later.
    boolean interrupted = Thread.interrupted();
    writer.stop();
    interrupted |= Uninterruptibly.join(writerThread);
    writer.shutdown();
    subscriptions.close();
    checkpointer.shutdown();
    try {
      interrupted |= Uninterruptibly.awaitTermination(checkpointer, 1);
      interrupted |= Thread.interrupted(); // set again by a helper's wait: the checkpoint's I/O must not see it
      if (writer.poisoned() == null) {
        checkpoint(true);
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "Final checkpoint of " + dir.root + " failed; the next open will replay the log", e);
    } finally {
      indexed.log.close();
      dir.close();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void ensureOpen() {
    if (gate.isClosed()) {
      throw new StoreClosedException("The store in " + dir.root + " is closed; open it again with EmbeddedEventStore.open");
    }
  }

  @Override
  public String toString() {
    return "EmbeddedEventStore[" + dir.root + ", head " + published.head() + "]";
  }
}
