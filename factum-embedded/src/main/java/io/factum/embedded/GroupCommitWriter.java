package io.factum.embedded;

import io.factum.api.AppendRequest;
import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.FactumException;
import io.factum.api.IdempotencyConflictException;
import io.factum.api.EventTooLargeException;
import io.factum.api.StorageException;
import io.factum.api.WrongExpectedVersionException;
import io.factum.core.AnsweringThreads;
import io.factum.core.Uninterruptibly;
import io.factum.core.UuidV7;
import io.factum.embedded.index.Hashing;
import io.factum.embedded.log.BatchEncoder;
import io.factum.embedded.log.BatchFormat;
import io.factum.embedded.log.SegmentedLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The single writer of a store: takes every append waiting in its queue, checks and encodes them,
 * writes them with one {@code write} and makes them durable with one {@code fsync} (group commit),
 * indexes them, publishes the new head, and only then answers the callers.
 *
 * <p>The order is fixed so that nothing can fail once events are durable: <em>reserve</em> (log
 * segment, position-table and hash-index space: the only steps that allocate disk) → <em>write</em> →
 * <em>fsync</em>, with the insert-only index entries written meanwhile → <em>stream heads</em> →
 * <em>publish</em>. A failure before the fsync fails the whole group and changes nothing; a failed
 * fsync stops the writer for good (the kernel may have dropped the dirty pages), and the store must
 * be reopened.
 *
 * <p>Threads: the writer itself; a sync thread, so a large group is indexed while the disk syncs; and
 * a completer, which wakes the callers of a group while the writer goes on with the next one (waking
 * dozens of threads on two cores otherwise stalls the writer behind them).
 */
final class GroupCommitWriter implements Runnable {

  /** What the writer publishes after each group: the new head and where the log ends. */
  record Published(long head, long logEnd) {}

  /** Receives each published group: readers may now see events up to {@code head}. */
  interface Listener {
    void published(Published state, Set<String> streams);
  }

  /** Counters of the writer's work, for metrics and the bench. */
  static final class Stats {
    final LongAdder groups = new LongAdder();
    final LongAdder appends = new LongAdder();
    final LongAdder events = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder syncNanos = new LongAdder();
  }

  /**
   * One caller's append, waiting for its answer. The caller fills the first part (ids, stream,
   * encoded events) on its own thread before submitting; the writer fills the plan.
   */
  static final class Pending {
    final AppendRequest request;
    final CompletableFuture<AppendResult> result = new CompletableFuture<>();
    final UUID[] ids;
    final long[] idMsb;
    final long[] idLsb;
    final byte[] stream;
    final long streamHash;
    final int headerSize;
    final BatchEncoder.Encoded encoded;
    // the plan, filled by the writer
    AppendResult retry;
    long firstVersion;
    long firstPosition;
    long previousPosition;
    int bufferOffset;
    int size;
    BatchFormat.Header header;

    /**
     * Prepares an append on the caller's thread: assigns missing ids and encodes the events — into the
     * encoder's scratch space when the caller waits for this append, else into a buffer of their own.
     */
    Pending(AppendRequest request, BatchEncoder encoder, int maxBatchBytes, boolean callerWaits) {
      this.request = request;
      List<EventData> events = request.events();
      int n = events.size();
      ids = new UUID[n];
      idMsb = new long[n];
      idLsb = new long[n];
      for (int k = 0; k < n; k++) {
        UUID id = events.get(k).eventId();
        ids[k] = id != null ? id : UuidV7.next();
        idMsb[k] = ids[k].getMostSignificantBits();
        idLsb[k] = ids[k].getLeastSignificantBits();
      }
      stream = request.streamId().getBytes(StandardCharsets.UTF_8);
      streamHash = Hashing.hash64(stream);
      headerSize = BatchFormat.headerSize(stream.length);
      encoded = encoder.encodeEvents(events, ids, headerSize, maxBatchBytes, request.streamId(), !callerWaits);
    }

    private Pending() {
      request = null;
      ids = null;
      idMsb = null;
      idLsb = null;
      stream = null;
      streamHash = 0;
      headerSize = 0;
      encoded = null;
    }

    AppendResult written() {
      int n = ids.length;
      return AppendResult.written(request.streamId(), firstVersion, firstVersion + n - 1, firstPosition, firstPosition + n - 1);
    }
  }

  private static final Pending STOP = new Pending();
  private static final int MAX_GROUP_APPENDS = 4096;
  private static final long MAX_LINGER_MICROS = 200;
  /**
   * Groups with at least this many events are pipelined: synced on the sync thread while the writer
   * indexes them and plans and writes the next group.
   */
  private static final int OVERLAP_EVENTS = 256;
  /** Zero-ahead pays off for groups smaller than this (measured: +30% at 11-40 KB, -17% at 330 KB). */
  private static final long ZERO_AHEAD_BELOW_GROUP_BYTES = 128 << 10;
  private static final int ZERO_AHEAD_CHUNK = 1 << 20;
  /** An index shard past this fraction of its load limit is grown while a large group syncs. */
  private static final double GROW_AHEAD_AT = 0.85;

  private final IndexedLog indexed;
  private final SegmentedLog log;
  private final StreamCache cache;
  private final Listener listener;
  private final int maxGroupBytes;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final BatchEncoder encoder = new BatchEncoder();
  private final Cursor cursor = new Cursor();
  private final GroupIds groupIds = new GroupIds();
  private final ExecutorService syncer;
  private final ExecutorService completer;
  final Stats stats = new Stats();
  private ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
  private long[] keys = new long[1024];
  private long nextPosition;
  private long logEnd;
  private int lastGroupSize = 1;
  private long zeroedEnd;
  /** The log offset up to which the log is known durable; recorded in every batch (see BatchFormat). */
  private long syncedEnd;
  private long averageGroupBytes;
  private long lastSyncNanos = 1_000_000;
  private volatile String poisoned;
  /** The written group whose sync may still be running (at most one), or null. */
  private Written unsynced;
  private final AtomicReference<IOException> syncFault = new AtomicReference<>();
  private final AtomicReference<Throwable> writeFault = new AtomicReference<>();
  private final AtomicReference<IOException> eraseFault = new AtomicReference<>();
  private final AtomicReference<Hold> syncHold = new AtomicReference<>();

  /** A test's hold on syncs: each waits for {@code release}, counting {@code waiting} down first. */
  private record Hold(CountDownLatch release, CountDownLatch waiting) {}

  GroupCommitWriter(Object owner, String threadPrefix, IndexedLog indexed, StreamCache cache, Published start, int maxGroupBytes, Listener listener) {
    this.indexed = indexed;
    this.log = indexed.log;
    this.cache = cache;
    this.listener = listener;
    this.maxGroupBytes = maxGroupBytes;
    this.nextPosition = start.head() + 1;
    this.logEnd = start.logEnd();
    this.zeroedEnd = start.logEnd();
    this.syncedEnd = start.logEnd();
    this.syncer = Executors.newSingleThreadExecutor(named(owner, threadPrefix + "-fsync"));
    this.completer = Executors.newSingleThreadExecutor(named(owner, threadPrefix + "-completer"));
  }

  /** Threads marked as answering {@code owner}'s appends (see {@link AnsweringThreads}). */
  private static java.util.concurrent.ThreadFactory named(Object owner, String name) {
    return r -> {
      Thread t = new Thread(AnsweringThreads.marking(owner, r), name);
      t.setDaemon(true);
      return t;
    };
  }

  void submit(Pending p) {
    queue.add(p);
  }

  void stop() {
    queue.add(STOP);
  }

  /** Stops the helper threads once the writer thread has ended; every caller has its answer after this. */
  void shutdown() {
    syncer.shutdown(); // never shutdownNow: an interrupted force() would close the segment's channel
    completer.shutdown();
    boolean interrupted = Uninterruptibly.awaitTermination(completer, 1);
    interrupted |= Uninterruptibly.awaitTermination(syncer, 1);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Why the writer refuses writes (a failed fsync or indexing failure), or {@code null}. */
  String poisoned() {
    return poisoned;
  }

  @Override
  public void run() {
    List<Pending> carry = new ArrayList<>();
    boolean stopping = false;
    while (!stopping || !carry.isEmpty()) {
      List<Pending> group = new ArrayList<>(carry);
      carry.clear();
      if (!stopping) {
        if (group.isEmpty()) {
          if (queue.isEmpty()) {
            finishUnsynced(); // nothing to overlap its sync with: answer its callers now
          }
          Pending first = takeUninterruptibly();
          if (first == STOP) {
            stopping = true;
            continue;
          }
          group.add(first);
        }
        queue.drainTo(group, MAX_GROUP_APPENDS);
        if (group.size() < lastGroupSize && !group.contains(STOP)) {
          linger(group, lastGroupSize);
        }
        if (group.remove(STOP)) {
          stopping = true;
        }
      }
      lastGroupSize = Math.max(1, group.size());
      try {
        carry = process(group);
      } catch (Throwable t) {
        // An Error (out of memory while an index shard grows, say): the writer must not die, or every
        // caller would wait forever. What the group wrote is unknown, so nothing more is written.
        poison("failed unexpectedly", t);
        StorageException failure = new StorageException("The append's outcome is unknown: " + poisoned
            + " After reopening, retry with the same event ids (safe) to find out.", t);
        group.forEach(p -> p.result.completeExceptionally(failure));
        carry = new ArrayList<>();
      }
    }
    finishUnsynced();
  }

  private Pending takeUninterruptibly() {
    while (true) {
      try {
        return queue.take();
      } catch (InterruptedException e) {
        // The writer is never interrupted on purpose; it stops only on STOP.
      }
    }
  }

  /**
   * Group formation: the writers released by the last group come back within microseconds, and
   * without waiting for them groups alternate between one straggler and everyone else. So when the
   * forming group is smaller than the last one, pause a moment and take whatever arrived — at most a
   * quarter of a recent fsync, never more than {@value #MAX_LINGER_MICROS} µs. A plain timed pause,
   * not a wait on the queue: each arrival would otherwise wake the writer (measured: wake-ups were the
   * largest cost with 64 writers on 2 cores). A lone writer never pauses.
   */
  private void linger(List<Pending> group, int target) {
    long pause = Math.min(MAX_LINGER_MICROS * 1000L, lastSyncNanos / 4);
    long deadline = System.nanoTime() + pause;
    for (int round = 0; round < 4 && group.size() < target; round++) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      LockSupport.parkNanos(this, Math.max(left / (4 - round), 10_000));
      queue.drainTo(group, MAX_GROUP_APPENDS);
      if (group.contains(STOP)) {
        return;
      }
    }
  }

  /**
   * A group written to the log whose sync may still be running, with everything needed to finish it:
   * stream heads, publication and the answers of all its callers (also those whose append was a retry
   * or failed: their outcome was decided against the groups before it, which must be durable first).
   */
  private record Written(List<Pending> written, List<Pending> retries, List<Failed> failures,
      Map<String, StreamCache.State> streams, long head, long logEnd, int bytes, int events, Future<Long> sync) {
    // sync: the pipelined sync's duration in ns; null for a group synced in place

    /** A group of which nothing was written (retries and refusals only, or a failed write). */
    static Written nothing(List<Pending> written, List<Pending> retries, List<Failed> failures) {
      return new Written(written, retries, failures, Map.of(), 0, 0, 0, 0, null);
    }
  }

  /** An append refused while planning, answered when its group is finished. */
  private record Failed(Pending pending, FactumException failure) {}

  /**
   * Processes one group; returns the appends that did not fit and wait for the next group.
   *
   * <p>A large group is <em>pipelined</em>: its sync runs on the sync thread while the writer indexes
   * it, finishes the group before it (whose sync was already running) and goes on planning and writing
   * the next one — so the writer's own work overlaps the disk. At most two groups are unsynced at a
   * time, both fully written (a killed process still leaves at most a prefix of the last one), and
   * groups are finished strictly in order. A small group is written, synced and finished in place.
   */
  private List<Pending> process(List<Pending> group) {
    List<Pending> written = new ArrayList<>();
    List<Pending> retries = new ArrayList<>();
    List<Failed> failures = new ArrayList<>();
    List<Pending> leftover = new ArrayList<>();
    // What earlier appends of this group did, for later ones.
    Map<String, StreamCache.State> touched = new HashMap<>();
    groupIds.clear();
    long position = nextPosition;
    int used = 0;
    int events = 0;
    long micros = nowMicros();
    if (unsynced != null && (unsynced.sync() == null || unsynced.sync().isDone() || eventsIn(group) < OVERLAP_EVENTS)) {
      // Finish the previous group first when its sync is done (its callers get their answers now,
      // not after this group is written), or when this group will not be pipelined anyway: either
      // way this group's batches then name it as synced.
      finishUnsynced();
    }
    for (int i = 0; i < group.size(); i++) {
      Pending p = group.get(i);
      if (poisoned != null) {
        p.result.completeExceptionally(new StorageException(poisoned));
        continue;
      }
      try {
        if (!plan(p, touched, written, position)) {
          retries.add(p);
          continue;
        }
        long size = p.headerSize + (long) p.encoded.length();
        if (size > maxGroupBytes) {
          throw new EventTooLargeException("The append to '" + p.request.streamId() + "' encodes to " + size
              + " bytes, more than this store's largest batch (" + maxGroupBytes + " bytes); split it into smaller appends");
        }
        if (log.segmentOf(logEnd) >= log.segmentCount()) {
          log.ensureSegment(log.segmentOf(logEnd)); // the previous batch ended exactly at a segment's end
        }
        if (log.localOffset(logEnd) + (long) used + size > log.segmentSize()) {
          if (used > 0) {
            leftover.addAll(group.subList(i, group.size()));
            break;
          }
          rollSegment();
        }
        if (used + size > maxGroupBytes) {
          leftover.addAll(group.subList(i, group.size()));
          break;
        }
        ensureBuffer(used + (int) size);
        int n = p.ids.length;
        p.bufferOffset = used;
        buffer.put(used + p.headerSize, p.encoded.bytes(), 0, p.encoded.length());
        p.size = encoder.writeHeader(buffer, used, p.stream, p.firstPosition, p.firstVersion, p.previousPosition, micros, n,
            p.encoded.length(), p.encoded.eventsCrc(), syncedEnd);
        p.header = new BatchFormat.Header(log.localOffset(logEnd + used), p.size, n, p.firstPosition, p.firstVersion,
            p.previousPosition, micros, p.stream, 0, syncedEnd);
        used += BatchFormat.align8(p.size);
        touched.put(p.request.streamId(), new StreamCache.State(p.firstVersion + n - 1, p.firstPosition + n - 1));
        if (group.size() > 1) {
          long ref = (long) written.size() << 32;
          for (int k = 0; k < n; k++) {
            groupIds.add(p.idMsb[k], p.idLsb[k], ref | k);
          }
        }
        position += n;
        events += n;
        written.add(p);
      } catch (FactumException e) {
        failures.add(new Failed(p, e));
      } catch (IOException e) {
        failures.add(new Failed(p, notWritten(e)));
      } catch (RuntimeException e) {
        failures.add(new Failed(p, new StorageException("Append failed unexpectedly: " + e, e)));
      }
    }
    if (written.isEmpty()) {
      finishUnsynced();
      Written nothing = Written.nothing(written, retries, failures);
      if (poisoned != null) {
        fail(nothing, new StorageException(poisoned)); // decided against a group whose sync failed
      } else {
        answer(nothing);
      }
      return leftover;
    }
    boolean pipelined = events >= OVERLAP_EVENTS;
    if (!pipelined && unsynced != null) {
      // Planned as if pipelined (retries, refusals or carried-over appends counted at first), but
      // small: its batch headers name the synced end from before the unsynced group. Finish that group
      // and plan again, so they name it — recovery relies on what later batches say was synced.
      finishUnsynced();
      return process(group);
    }
    ByteBuffer bytes = buffer.duplicate().position(0).limit(used);
    try {
      reserve(written, position - 1);
      if (unsynced == null) {
        zeroAhead(used); // never while a sync runs: zeros written during another sync slow it down
      }
      write(bytes);
    } catch (IOException | RuntimeException e) {
      finishUnsynced(); // the groups before this one are still good
      boolean decidedAgainstAFailedGroup = poisoned != null; // its sync failed while this group was written
      StorageException failure = eraseFailedWrite(bytes.position()) ? notWritten(e)
          : new StorageException("The append's outcome is unknown: its write failed (" + e + ") and what it wrote could not be"
              + " erased; " + poisoned + " After reopening, its events may be there: retry with the same event ids (safe) to find out.", e);
      if (decidedAgainstAFailedGroup) {
        fail(Written.nothing(written, retries, failures), failure);
        return leftover;
      }
      // Only the appends being written failed. Retries and refusals may have been decided against them
      // (a resend in the same group, a second NO_STREAM append): they are decided again, in the next
      // group, against what is durable. Refusals of their own input keep their answer.
      written.forEach(p -> p.result.completeExceptionally(failure));
      List<Pending> again = new ArrayList<>(retries);
      List<Failed> ownInput = new ArrayList<>();
      for (Failed f : failures) {
        if (f.failure() instanceof EventTooLargeException || f.failure() instanceof StorageException) {
          ownInput.add(f);
        } else {
          again.add(f.pending());
        }
      }
      answer(Written.nothing(List.of(), List.of(), ownInput));
      again.addAll(leftover);
      return again;
    }
    int segment = log.segmentOf(logEnd);
    long groupStart = logEnd;
    nextPosition = position;
    logEnd += used;
    averageGroupBytes += (used - averageGroupBytes) / 8;
    Future<Long> sync = null;
    try {
      if (pipelined) {
        sync = syncer.submit(() -> {
          long started = System.nanoTime();
          force(segment);
          return System.nanoTime() - started;
        });
        finishUnsynced(); // the group before this one, whose sync was running while this one was planned
        if (poisoned == null) {
          // Index the insert-only entries while the disk syncs: they are harmless until published.
          indexEvents(written, groupStart);
          growIndexAhead();
        }
      } else {
        long started = System.nanoTime();
        force(segment);
        lastSyncNanos = System.nanoTime() - started;
        syncedEnd = logEnd;
        indexEvents(written, groupStart);
      }
    } catch (IOException e) {
      poison("could not make its log durable", e);
      eraseUnacknowledged(groupStart);
      finishUnsynced();
    } catch (RuntimeException e) {
      poison("failed to index or sync a group", e);
      finishUnsynced();
    }
    unsynced = new Written(written, retries, failures, touched, position - 1, logEnd, used, events, sync);
    if (!pipelined) {
      finishUnsynced();
    }
    return leftover;
  }

  /**
   * Grows one nearly full index shard while the disk syncs (measured: growth was ~10% of the time of
   * blocking 1,000-event appends when done on their path). Only an optimisation: on failure (a full
   * disk, say) the shard grows, or the append fails cleanly, in {@link #reserve} before a later write.
   */
  private void growIndexAhead() {
    try {
      indexed.hash.growAhead(GROW_AHEAD_AT);
    } catch (IOException | RuntimeException e) {
      // reserve() grows it, or reports the failure, before anything more is written
    }
  }

  private static int eventsIn(List<Pending> group) {
    int events = 0;
    for (Pending p : group) {
      events += p.ids.length;
    }
    return events;
  }

  /** Writes a group at the log's end; tests can make it fail half-way, as a disk filling up would. */
  private void write(ByteBuffer bytes) throws IOException {
    Throwable fault = writeFault.getAndSet(null);
    if (fault != null) {
      log.write(logEnd, bytes.duplicate().limit(bytes.position() + bytes.remaining() / 2));
      bytes.position(bytes.position() + bytes.remaining() / 2);
      if (fault instanceof Error) {
        throw (Error) fault;
      }
      throw (IOException) fault;
    }
    log.write(logEnd, bytes);
  }

  /**
   * Test hook: syncs wait until {@code release} opens, so that groups pile up unsynced behind them;
   * each counts {@code waiting} (may be null) down when it starts to wait. {@code null} ends the hold.
   */
  void holdSyncs(CountDownLatch release, CountDownLatch waiting) {
    syncHold.set(release == null ? null : new Hold(release, waiting));
  }

  /** Test hook: the next group's write stops half-way with {@code fault} (an IOException or an Error). */
  void failNextWrite(Throwable fault) {
    writeFault.set(fault);
  }

  /** Test hook: erasing the next failed write fails with {@code fault}, as a failing disk would. */
  void failNextErase(IOException fault) {
    eraseFault.set(fault);
  }

  /**
   * After a failed write, zeroes (and syncs) the part of the group that was written: its callers are
   * told nothing was stored, and a shorter group written next would otherwise leave whole batches of
   * it behind the log's end, where a reopen would find them following on. On ext4 and xfs those
   * blocks are already allocated, so this needs no space even on a full disk (a copy-on-write file
   * system may need some). If it fails, the writer stops and the outcome is reported as unknown.
   */
  private boolean eraseFailedWrite(int writtenBytes) {
    if (writtenBytes == 0) {
      return true;
    }
    try {
      IOException fault = eraseFault.getAndSet(null);
      if (fault != null) {
        throw fault;
      }
      log.zero(logEnd, writtenBytes);
      return true;
    } catch (IOException | RuntimeException e) {
      poison("could not erase a failed write", e);
      return false;
    }
  }

  /** Makes a log segment durable; tests can make it fail as a failing disk would. */
  private void force(int segment) throws IOException {
    IOException fault = syncFault.getAndSet(null); // taken as the sync starts: one set while it is held is for a later sync
    Hold hold = syncHold.get();
    if (hold != null && hold.release().getCount() > 0) {
      if (hold.waiting() != null) {
        hold.waiting().countDown();
      }
      while (hold.release().getCount() > 0) {
        try {
          hold.release().await();
        } catch (InterruptedException e) {
          // a test's hold is released by the test, not by interrupts
        }
      }
    }
    if (fault != null) {
      throw fault;
    }
    log.force(segment);
  }

  /**
   * Test hook: the next sync fails with {@code fault} and later ones succeed, as Linux reports a
   * writeback error once (an fsync's EIO cannot be produced on demand).
   */
  void failNextSync(IOException fault) {
    syncFault.set(fault);
  }

  /**
   * Best effort after a failed sync: zeroes what the writer wrote from {@code from} on (the failed
   * group and any group written after it, none acknowledged), last segment first, so that a reopen
   * sees the log end there — not a lost group followed by a later one, which it must report as
   * corruption. If this fails too, the reopen decides from what reached the disk.
   */
  private void eraseUnacknowledged(long from) {
    try {
      for (int segment = log.segmentOf(logEnd - 1); segment >= log.segmentOf(from); segment--) {
        long start = Math.max(from, log.logicalOffset(segment, 0));
        long end = Math.min(logEnd, log.logicalOffset(segment + 1, 0));
        if (end > start) {
          log.zero(start, end - start);
        }
      }
    } catch (IOException | RuntimeException e) {
      // nothing more to do: the writer refuses all writes from now on
    }
  }

  /** Waits for the sync of the unsynced group, if any, and finishes it. */
  private void finishUnsynced() {
    Written w = unsynced;
    if (w == null) {
      return;
    }
    unsynced = null;
    try {
      finish(w);
    } catch (Throwable t) {
      // An Error while finishing (out of memory, say): the group's callers still get an answer, and
      // the writer goes on, refusing writes, instead of leaving every caller waiting.
      poison("failed unexpectedly while finishing a group", t);
      fail(w, new StorageException("The append's outcome is unknown: " + poisoned
          + " After reopening, retry with the same event ids (safe) to find out.", t));
    }
  }

  /** Waits for a written group's sync, then indexes its heads, publishes it and answers its callers. */
  private void finish(Written w) {
    if (w.sync() != null && poisoned == null) {
      try {
        lastSyncNanos = w.sync().get();
        syncedEnd = w.logEnd();
      } catch (ExecutionException | InterruptedException e) { // never interrupted on purpose
        poison("could not make its log durable", e instanceof ExecutionException ? e.getCause() : e);
        eraseUnacknowledged(w.logEnd() - w.bytes());
      }
    }
    if (poisoned != null) {
      // Its events were written; whether they reached the disk is not known (a failed sync's erase is
      // best effort, and a store poisoned meanwhile did not wait for this sync at all).
      StorageException unknown = unknownOutcome(null);
      w.written().forEach(p -> p.result.completeExceptionally(unknown));
      fail(w, new StorageException(poisoned)); // retries and refusals: decided against groups that may be lost
      return;
    }
    Set<String> streams = new LinkedHashSet<>();
    try {
      for (Pending p : w.written()) {
        indexed.indexHead(p.header, cursor);
        streams.add(p.request.streamId());
      }
    } catch (RuntimeException e) {
      // Durable but not fully indexed: only a reopen (which replays the log) can repair the index.
      poisoned = "The store failed to index durable events (" + e + "); close and reopen it to rebuild the index from the log.";
      fail(w, unknownOutcome(e));
      return;
    }
    for (Pending p : w.written()) {
      cache.put(p.request.streamId(), w.streams().get(p.request.streamId()));
    }
    try {
      listener.published(new Published(w.head(), w.logEnd()), streams);
    } catch (RuntimeException e) {
      poison("failed to publish durable events", e);
      fail(w, unknownOutcome(e));
      return;
    }
    stats.groups.increment();
    stats.appends.add(w.written().size());
    stats.events.add(w.events());
    stats.bytes.add(w.bytes());
    stats.syncNanos.add(lastSyncNanos);
    answer(w);
  }

  /** For the callers of a group that was written before the writer was poisoned: their events may be stored. */
  private StorageException unknownOutcome(Throwable cause) {
    return new StorageException("The append's outcome is unknown: " + poisoned
        + " After reopening, retry with the same event ids (safe) to find out.", cause);
  }

  /** A failed sync, or a failure after a write: the writer refuses everything from now on. */
  private void poison(String what, Throwable cause) {
    if (poisoned == null) {
      poisoned = "The store " + what + " (" + cause + "); it refuses further writes so no acknowledged event can be lost. "
          + "Close and reopen the store: reopening replays the log.";
    }
  }

  /** Answers every caller of a finished group, on the completer unless there is only one. */
  private void answer(Written w) {
    if (w.written().size() + w.retries().size() + w.failures().size() == 1) {
      complete(w); // one caller: nothing to gain from a hand-off
    } else {
      completer.execute(() -> complete(w));
    }
  }

  private static void complete(Written w) {
    for (Pending p : w.written()) {
      p.result.complete(p.written());
    }
    for (Pending p : w.retries()) {
      p.result.complete(p.retry);
    }
    for (Failed f : w.failures()) {
      f.pending().result.completeExceptionally(f.failure());
    }
  }

  /**
   * Fails a group. Refusals of its appends keep their own answer only when it depends on their input
   * alone (too large, a storage error of their own); one decided against the state of the log (a
   * version, an id) gets the group's failure, since that state may not have become durable.
   */
  private static void fail(Written w, StorageException failure) {
    w.written().forEach(p -> p.result.completeExceptionally(failure));
    w.retries().forEach(p -> p.result.completeExceptionally(failure));
    for (Failed f : w.failures()) {
      boolean ownInput = f.failure() instanceof EventTooLargeException || f.failure() instanceof StorageException;
      f.pending().result.completeExceptionally(ownInput ? f.failure() : failure);
    }
  }

  private static StorageException notWritten(Exception e) {
    String why = String.valueOf(e.getMessage());
    String hint = why.contains("No space left") ? " The disk is full: free some space and retry;" : "";
    return new StorageException("The append was not written: " + e + "." + hint
        + " nothing was stored, so retrying with the same event ids is safe.", e);
  }

  /** An event known to the writer: already indexed, or earlier in the current group. */
  private record Located(String streamId, long version, long position) {}

  /**
   * Decides what to do with an append: {@code false} when it is a retry of stored events
   * ({@code p.retry} set), {@code true} when it must be written (versions, position and ids set).
   * {@code planned} holds the appends of this group planned so far, which {@link #groupIds} refers
   * to. Changes no shared state.
   */
  private boolean plan(Pending p, Map<String, StreamCache.State> touched, List<Pending> planned, long position) {
    AppendRequest r = p.request;
    String streamId = r.streamId();
    List<EventData> events = r.events();
    int n = events.size();
    Located[] found = null;
    int foundCount = 0;
    if (n > 1) {
      indexed.prefetchIds(events);
    }
    for (int k = 0; k < n; k++) {
      UUID id = events.get(k).eventId();
      if (id == null) {
        continue;
      }
      Located l = null;
      if (!groupIds.isEmpty()) {
        long ref = groupIds.find(p.idMsb[k], p.idLsb[k]);
        if (ref >= 0) {
          Pending earlier = planned.get((int) (ref >>> 32));
          int j = (int) ref;
          l = new Located(earlier.request.streamId(), earlier.firstVersion + j, earlier.firstPosition + j);
        }
      }
      if (l == null) {
        // bounded: an id entry at or beyond this append's position is a leftover of a group lost in a
        // power cut (entries are written while a group syncs), possibly past the log's end
        long pos = indexed.positionOfId(id, position - 1, cursor);
        if (pos > 0) {
          BatchFormat.Header h = indexed.header(pos, cursor);
          l = new Located(h.streamIdString(), h.firstVersion() + (pos - h.firstPosition()), pos);
        }
      }
      if (l != null) {
        if (found == null) {
          found = new Located[n];
        }
        found[k] = l;
        foundCount++;
      }
    }
    if (foundCount > 0) {
      UUID first = null;
      for (int k = 0; k < n && first == null; k++) {
        if (found[k] != null) {
          first = events.get(k).eventId();
        }
      }
      if (foundCount < n) {
        throw new IdempotencyConflictException(streamId, first,
            "only " + foundCount + " of the " + n + " events are already stored (partial overlap)");
      }
      for (int k = 0; k < n; k++) {
        if (!found[k].streamId().equals(streamId)) {
          throw new IdempotencyConflictException(streamId, events.get(k).eventId(), "it is stored in stream '" + found[k].streamId() + "'");
        }
        if (found[k].version() != found[0].version() + k) {
          throw new IdempotencyConflictException(streamId, events.get(k).eventId(), "the stored events are in another order");
        }
      }
      p.retry = new AppendResult(streamId, found[0].version(), found[n - 1].version(), found[0].position(), found[n - 1].position(), true);
      return false;
    }
    StreamCache.State state = touched.isEmpty() ? null : touched.get(streamId);
    if (state == null && unsynced != null) {
      state = unsynced.streams.get(streamId); // written by the group whose sync is running
    }
    if (state == null) {
      state = cache.get(streamId);
    }
    if (state == null) {
      long last = indexed.streamHead(p.stream, p.streamHash, Long.MAX_VALUE, cursor);
      if (last < 0) {
        state = StreamCache.State.ABSENT;
      } else {
        BatchFormat.Header h = indexed.header(last, cursor);
        state = new StreamCache.State(h.lastVersion(), last);
      }
      cache.put(streamId, state);
    }
    if (!r.expected().isSatisfiedBy(state.version())) {
      throw new WrongExpectedVersionException(streamId, r.expected(), state.version() == 0 ? -1 : state.version());
    }
    p.firstVersion = state.version() + 1;
    p.firstPosition = position;
    p.previousPosition = state.lastPosition();
    return true;
  }

  /**
   * While groups are small, keeps about a chunk of zero-filled space ahead of the writer, so syncs
   * rarely allocate blocks (see {@link SegmentedLog#zeroAhead}). The zeros always start after the
   * data of the group about to be written, so they never cover data.
   */
  private void zeroAhead(int groupBytes) throws IOException {
    if (averageGroupBytes >= ZERO_AHEAD_BELOW_GROUP_BYTES) {
      return;
    }
    long end = logEnd + groupBytes;
    if (log.segmentOf(zeroedEnd) != log.segmentOf(logEnd) || zeroedEnd < end) {
      zeroedEnd = end; // a new segment, or the writer outran the zeros: start again after this group
    }
    if (zeroedEnd - end < ZERO_AHEAD_CHUNK / 4) {
      zeroedEnd = log.zeroAhead(zeroedEnd, ZERO_AHEAD_CHUNK);
    }
  }

  private void rollSegment() throws IOException {
    int next = log.segmentOf(logEnd) + 1;
    log.ensureSegment(next);
    logEnd = log.logicalOffset(next, 0);
  }

  private void ensureBuffer(int size) {
    if (size > buffer.capacity()) {
      int capacity = buffer.capacity();
      while (capacity < size) {
        capacity *= 2;
      }
      ByteBuffer grown = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
      grown.put(0, buffer, 0, buffer.capacity());
      buffer = grown;
    }
  }

  private void reserve(List<Pending> written, long lastPosition) throws IOException {
    indexed.positions.reserve(lastPosition);
    // The unsynced group's stream heads are put only when it is finished, after this reservation.
    List<Pending> heads = unsynced == null ? List.of() : unsynced.written;
    int needed = heads.size();
    for (Pending p : written) {
      needed += 2 * p.ids.length + 1;
    }
    if (keys.length < needed) {
      keys = new long[Math.max(needed, keys.length * 2)];
    }
    int n = 0;
    for (Pending p : written) {
      n += IndexedLog.keysOf(p.firstVersion, p.ids.length, p.streamHash, keys, n, p.idMsb, p.idLsb);
    }
    for (Pending p : heads) {
      keys[n++] = Hashing.headKey(p.streamHash);
    }
    indexed.hash.reserve(keys, n);
  }

  private void indexEvents(List<Pending> written, long groupStart) {
    for (Pending p : written) {
      int n = p.ids.length;
      long batchOffset = groupStart + p.bufferOffset;
      long[] offsets = new long[n];
      int[] eventOffsets = p.encoded.eventOffsets();
      for (int k = 0; k < n; k++) {
        offsets[k] = batchOffset + eventOffsets[k];
      }
      indexed.indexEvents(p.header, offsets, p.encoded.typeHashes(), p.idMsb, p.idLsb, cursor);
    }
  }

  private static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }
}
