package io.factum.embedded;

import io.factum.api.AppendRequest;
import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.FactumException;
import io.factum.api.IdempotencyConflictException;
import io.factum.api.InvalidEventException;
import io.factum.api.StorageException;
import io.factum.api.WrongExpectedVersionException;
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
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The single writer of a store: takes every append waiting in its queue, checks and encodes them,
 * writes them with one {@code write} and makes them durable with one {@code fsync} (group commit),
 * indexes them, publishes the new head, and only then answers the callers.
 *
 * <p>The order is fixed so that nothing can fail once events are durable: <em>reserve</em> (log
 * segment, position-table and hash-index space: the only steps that allocate disk) → <em>write</em> →
 * <em>fsync</em> → <em>index</em> (writes into already allocated, mapped memory) → <em>publish</em>.
 * A failure before the fsync fails the whole group and changes nothing; a failed fsync stops the
 * writer for good (the kernel may have dropped the dirty pages), and the store must be reopened.
 */
final class GroupCommitWriter implements Runnable {

  /** What the writer publishes after each group: the new head and where the log ends. */
  record Published(long head, long logEnd) {}

  /** Receives each published group: readers may now see events up to {@code head}. */
  interface Listener {
    void published(Published state, Set<String> streams);
  }

  /** One caller's append, waiting for its answer. */
  static final class Pending {
    final AppendRequest request;
    final CompletableFuture<AppendResult> result = new CompletableFuture<>();
    // the plan, filled by the writer
    AppendResult retry;
    byte[] stream;
    long streamHash;
    long firstVersion;
    long firstPosition;
    long previousPosition;
    UUID[] ids;
    int bufferOffset;
    int size;
    int[] eventOffsets;

    Pending(AppendRequest request) {
      this.request = request;
    }
  }

  private static final Pending STOP = new Pending(null);
  private static final int MAX_GROUP_APPENDS = 4096;

  private final IndexedLog indexed;
  private final SegmentedLog log;
  private final StreamCache cache;
  private final Listener listener;
  private final int maxGroupBytes;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final BatchEncoder encoder = new BatchEncoder();
  private final Cursor cursor = new Cursor();
  private ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
  private long[] keys = new long[1024];
  private long nextPosition;
  private long logEnd;
  private volatile String poisoned;

  GroupCommitWriter(IndexedLog indexed, StreamCache cache, Published start, int maxGroupBytes, Listener listener) {
    this.indexed = indexed;
    this.log = indexed.log;
    this.cache = cache;
    this.listener = listener;
    this.maxGroupBytes = maxGroupBytes;
    this.nextPosition = start.head() + 1;
    this.logEnd = start.logEnd();
  }

  void submit(Pending p) {
    queue.add(p);
  }

  void stop() {
    queue.add(STOP);
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
          Pending first = takeUninterruptibly();
          if (first == STOP) {
            stopping = true;
            continue;
          }
          group.add(first);
        }
        queue.drainTo(group, MAX_GROUP_APPENDS);
        if (group.remove(STOP)) {
          stopping = true;
        }
      }
      carry = process(group);
    }
  }

  private Pending takeUninterruptibly() {
    while (true) {
      try {
        return queue.take();
      } catch (InterruptedException e) {
        // The writer is never interrupted on purpose; stop only on STOP.
      }
    }
  }

  /** Processes one group; returns the appends that did not fit and wait for the next group. */
  private List<Pending> process(List<Pending> group) {
    List<Pending> written = new ArrayList<>();
    List<Pending> retries = new ArrayList<>();
    List<Pending> leftover = new ArrayList<>();
    Map<String, StreamCache.State> touched = new HashMap<>();
    Map<UUID, Located> groupIds = new HashMap<>();
    long position = nextPosition;
    int used = 0;
    long micros = nowMicros();
    for (int i = 0; i < group.size(); i++) {
      Pending p = group.get(i);
      if (poisoned != null) {
        p.result.completeExceptionally(new StorageException(poisoned));
        continue;
      }
      try {
        if (!plan(p, touched, groupIds, position)) {
          retries.add(p);
          continue;
        }
        long size = encoder.sizeOf(p.stream, p.request.events());
        if (size > maxGroupBytes) {
          throw new InvalidEventException("The append to '" + p.request.streamId() + "' encodes to " + size
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
        p.eventOffsets = new int[p.request.events().size()];
        p.bufferOffset = used;
        p.size = encoder.encode(buffer, used, p.stream, p.firstPosition, p.firstVersion, p.previousPosition, micros,
            p.request.events(), p.ids, p.eventOffsets);
        used += BatchFormat.align8(p.size);
        int n = p.ids.length;
        touched.put(p.request.streamId(), new StreamCache.State(p.firstVersion + n - 1, p.firstPosition + n - 1));
        for (int k = 0; k < n; k++) {
          groupIds.put(p.ids[k], new Located(p.request.streamId(), p.firstVersion + k, p.firstPosition + k));
        }
        position += n;
        written.add(p);
      } catch (FactumException e) {
        p.result.completeExceptionally(e);
      } catch (IOException e) {
        p.result.completeExceptionally(notWritten(e));
      } catch (RuntimeException e) {
        p.result.completeExceptionally(new StorageException("Append failed unexpectedly: " + e, e));
      }
    }
    if (written.isEmpty()) {
      retries.forEach(p -> p.result.complete(p.retry));
      return leftover;
    }
    try {
      reserve(written, position - 1);
      log.write(logEnd, buffer.duplicate().position(0).limit(used));
    } catch (IOException | RuntimeException e) {
      StorageException failure = notWritten(e);
      written.forEach(p -> p.result.completeExceptionally(failure));
      retries.forEach(p -> p.result.completeExceptionally(failure));
      return leftover;
    }
    try {
      log.force(log.segmentOf(logEnd));
    } catch (IOException | RuntimeException e) {
      poisoned = "The store could not make its log durable (" + e + "); it refuses further writes so no acknowledged event "
          + "can be lost. Close and reopen the store.";
      StorageException failure = new StorageException(poisoned, e);
      written.forEach(p -> p.result.completeExceptionally(failure));
      retries.forEach(p -> p.result.completeExceptionally(failure));
      return leftover;
    }
    Set<String> streams = new LinkedHashSet<>();
    try {
      for (Pending p : written) {
        indexBatch(p, micros);
        streams.add(p.request.streamId());
      }
    } catch (RuntimeException e) {
      // Durable but not indexed: only a reopen (which replays the log) can repair the index.
      poisoned = "The store failed to index durable events (" + e + "); close and reopen it to rebuild the index from the log.";
      StorageException failure = new StorageException(poisoned, e);
      written.forEach(p -> p.result.completeExceptionally(failure));
      retries.forEach(p -> p.result.completeExceptionally(failure));
      return leftover;
    }
    nextPosition = position;
    logEnd += used;
    touched.forEach(cache::put);
    listener.published(new Published(position - 1, logEnd), streams);
    for (Pending p : written) {
      int n = p.ids.length;
      p.result.complete(AppendResult.written(p.request.streamId(), p.firstVersion, p.firstVersion + n - 1, p.firstPosition,
          p.firstPosition + n - 1));
    }
    retries.forEach(p -> p.result.complete(p.retry));
    return leftover;
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
   * Changes no state.
   */
  private boolean plan(Pending p, Map<String, StreamCache.State> touched, Map<UUID, Located> groupIds, long position) {
    AppendRequest r = p.request;
    String streamId = r.streamId();
    List<EventData> events = r.events();
    int n = events.size();
    Located[] found = null;
    int foundCount = 0;
    for (int k = 0; k < n; k++) {
      UUID id = events.get(k).eventId();
      if (id == null) {
        continue;
      }
      Located l = groupIds.get(id);
      if (l == null) {
        long pos = indexed.positionOfId(id, Long.MAX_VALUE, cursor);
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
    byte[] stream = streamId.getBytes(StandardCharsets.UTF_8);
    long streamHash = Hashing.hash64(stream);
    StreamCache.State state = touched.get(streamId);
    if (state == null) {
      state = cache.get(streamId);
    }
    if (state == null) {
      long last = indexed.streamHead(stream, streamHash, Long.MAX_VALUE, cursor);
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
    UUID[] ids = new UUID[n];
    for (int k = 0; k < n; k++) {
      UUID id = events.get(k).eventId();
      ids[k] = id != null ? id : UuidV7.next();
    }
    p.stream = stream;
    p.streamHash = streamHash;
    p.firstVersion = state.version() + 1;
    p.firstPosition = position;
    p.previousPosition = state.lastPosition();
    p.ids = ids;
    return true;
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
    int needed = 0;
    for (Pending p : written) {
      needed += 2 * p.ids.length + 1;
    }
    if (keys.length < needed) {
      keys = new long[Math.max(needed, keys.length * 2)];
    }
    int n = 0;
    for (Pending p : written) {
      int count = p.ids.length;
      long[] msb = new long[count];
      long[] lsb = new long[count];
      for (int k = 0; k < count; k++) {
        msb[k] = p.ids[k].getMostSignificantBits();
        lsb[k] = p.ids[k].getLeastSignificantBits();
      }
      n += IndexedLog.keysOf(p.firstVersion, count, p.streamHash, keys, n, msb, lsb);
    }
    indexed.hash.reserve(keys, n);
  }

  private void indexBatch(Pending p, long micros) {
    int n = p.ids.length;
    long batchOffset = logEnd + p.bufferOffset;
    long[] offsets = new long[n];
    int[] typeHashes = new int[n];
    long[] msb = new long[n];
    long[] lsb = new long[n];
    for (int k = 0; k < n; k++) {
      offsets[k] = batchOffset + p.eventOffsets[k];
      typeHashes[k] = encoder.typeHash(p.request.events().get(k).eventType());
      msb[k] = p.ids[k].getMostSignificantBits();
      lsb[k] = p.ids[k].getLeastSignificantBits();
    }
    BatchFormat.Header h = new BatchFormat.Header(log.localOffset(batchOffset), p.size, n, p.firstPosition, p.firstVersion,
        p.previousPosition, micros, p.stream, 0);
    indexed.index(h, offsets, typeHashes, msb, lsb, cursor);
  }

  private static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  /** Whether the writer refuses writes after a failed fsync or indexing failure. */
  String poisoned() {
    return poisoned;
  }

}
